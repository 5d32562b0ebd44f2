import ArgumentParser
import Foundation

/// The options the GANs trained with Adam take (gan, dcgan, cgan, lapgan); unset ones keep the
/// model's defaults.
public struct GANOptions: ParsableArguments {
    @Option(help: "Learning rate of both Adam optimizers (default 2e-4; 1e-4 on 2-D points, as PacGAN).")
    public var lr: Float?

    @Option(help: "Size of the generator's noise vector (default 100; 2 on 2-D points).")
    public var latent: Int?

    @Option(help: "Adam's β₁ (default DCGAN's 0.5, which steadies adversarial training; 0.8 on 2-D points, as PacGAN).")
    public var beta1: Float?

    @Option(help: "Adam's β₂.")
    public var beta2: Float = 0.999

    public init() {}

    public func validate() throws {
        try validatePositive(lr: lr ?? 1, latent: latent ?? 1)
        guard (0..<1).contains(beta1 ?? 0), (0..<1).contains(beta2) else {
            throw ValidationError("--beta1 and --beta2 must lie in [0, 1), got \(beta1.map { "\($0)" } ?? "default") and \(beta2)")
        }
    }
}

/// The options of `gan`, `dcgan` and `cgan`: ``GANOptions`` and PacGAN's packing.
public struct PackedGANOptions: ParsableArguments {
    @OptionGroup public var gan: GANOptions

    @Option(help: "PacGAN: samples the discriminator judges at once, all real or all generated (1: a plain GAN).")
    public var pack: Int = 1

    public init() {}

    public func validate() throws { try validatePack(pack) }

    func configuration(_ architecture: GAN.Architecture, seed: UInt64, data: DataDescription) -> GAN.Config {
        var c = GAN.Config(architecture: architecture)
        c.imageShape = data.sampleShape
        if let latent = gan.latent { c.noise = latent }
        if let lr = gan.lr { c.learningRate = lr }
        if let beta1 = gan.beta1 { c.beta1 = beta1 }
        c.beta2 = gan.beta2
        c.pack = pack
        c.seed = seed
        return c
    }
}

/// `--pack` lies in 1...16: PacGAN uses 2 to 4, and more makes the discriminator's batch tiny.
func validatePack(_ pack: Int) throws {
    guard (1...16).contains(pack) else { throw ValidationError("--pack must lie in 1...16, got \(pack)") }
}

/// `mirage train gan`: the GAN with MLP networks.
public enum GANKind: ModelKind {
    public static let name = "gan"
    public static let summary = "GAN with MLP networks, non-saturating loss; on 2-D points, the mode-collapse networks"
    public static let discussion = """
        On images: G 100-256-512-1024-784 and D 784-512-256-1 with leaky ReLUs; each step one \
        discriminator and one generator update, non-saturating loss, Adam 2e-4 (0.5, 0.999). \
        Sheets: samples at fixed noise, interpolations between noise vectors.

        On 2-D points (--dataset ring8, grid25, …): the networks of the VEEGAN and PacGAN \
        experiments, as PacGAN's published code builds them: G 2-400-400-400-400-2 with batch \
        norm and ReLU, D three maxout layers of 200 units (5 pieces) and a logit, Adam 1e-4 \
        (0.8, 0.999), batch 100 in the papers; PyTorch's default initialisation rather than \
        their N(0, 0.02), which starts too slowly for a CPU run. Sheets: a scatter plot of \
        2,500 samples (blue) over 2,500 real points (gray) each epoch; score mode coverage \
        with `mirage eval modes`.

        --pack M makes it PacGAN: the discriminator judges M samples at once, all real or all \
        generated; a step takes M batches.

        Examples:
          mirage train gan --epochs 5 --out runs/gan
          mirage sample runs/gan --count 10000 --out gan.npy && mirage eval samples gan.npy
          mirage train gan --dataset grid25 --batch-size 100 --steps 20000 --pack 4 --out runs/pacgan4
          mirage eval modes runs/pacgan4 --dataset grid25
        """

    public typealias Options = PackedGANOptions
    public typealias SamplingOptions = LatentsOption
    public static var acceptsPoints: Bool { true }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> GAN.Config {
        o.configuration(data.sampleShape == [2] ? .points : .mlp, seed: seed, data: data)
    }

    public static func make(_ config: GAN.Config) throws -> GAN { try GAN.checked(config, kind: name) }

    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        upgradeAddingPack(&configuration, from: version)
    }
}

/// `mirage train dcgan`: the DCGAN for 28×28 images.
public enum DCGANKind: ModelKind {
    public static let name = "dcgan"
    public static let summary = "DCGAN for 28×28 images (the benchmark architecture)"
    public static let discussion = """
        G fc → 128×7×7 → ConvT 64 → ConvT C with batch norm, D conv 64 → conv 128 → fc, DCGAN \
        initialisation, non-saturating loss, Adam 2e-4 (0.5, 0.999). Trains on any 28×28 data: \
        mnist, fashion-mnist, kmnist, emnist, the derived MNIST domains, stacked-mnist (three \
        digits as RGB, 1,000 modes), 28×28 PNG folders. --pack M makes it PacDCGAN: the \
        discriminator sees M images stacked on its channels.

        Examples:
          mirage train dcgan --epochs 5 --out runs/dcgan
          mirage train dcgan --dataset mnist-inverted --steps 3000
          mirage train dcgan --dataset fashion-mnist --data-dir ~/datasets
          mirage train dcgan --dataset stacked-mnist --pack 2 --steps 10000 --out runs/pacdcgan2
          mirage eval modes runs/pacdcgan2 --dataset stacked-mnist
        """

    public typealias Options = PackedGANOptions
    public typealias SamplingOptions = LatentsOption

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> GAN.Config {
        o.configuration(.dcgan, seed: seed, data: data)
    }

    public static func make(_ config: GAN.Config) throws -> GAN { try GAN.checked(config, kind: name) }

    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        upgradeAddingPack(&configuration, from: version)
    }
}

extension GAN {
    /// The GAN for `config`, after checking what its constructor would otherwise stop on.
    static func checked(_ config: Config, kind: String) throws -> GAN {
        try validateSamples(kind: kind, architecture: config.architecture, shape: config.imageShape, noise: config.noise,
                            pack: config.pack, learningRate: config.learningRate)
        try requireAdamBetas(config.beta1, config.beta2, kind: kind)
        if config.architecture == .dcgan { try requireDCGANImageSize(config.imageShape, kind: kind, otherwise: "use gan, or 28×28 data") }
        return GAN(config)
    }
}

/// Version 0 (runs from before configuration versions): written before packing existed, so
/// without `pack`, which was 1.
func upgradeAddingPack(_ configuration: inout [String: Any], from version: Int) {
    if version < 1, configuration["pack"] == nil { configuration["pack"] = 1 }
}

/// The sample shape, noise size, pack and learning rate of a GAN-family configuration: images
/// for the MLP and DCGAN networks, `[2]` for the point networks.
func validateSamples(kind: String, architecture: GAN.Architecture, shape: [Int], noise: Int, pack: Int, learningRate: Float) throws {
    try requirePack(pack, kind: kind)
    switch architecture {
    case .points:
        guard shape == [2] else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "the point networks are for 2-D points, and the samples have shape \(shape)")
        }
        try validateConfiguration(kind: kind, imageShape: [1, 1, 2], sizes: [("noise size", noise), ("hidden width", 400)], learningRate: learningRate)
    case .mlp, .dcgan:
        guard shape != [2] else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "the \(architecture.rawValue) networks are for images, and the data are 2-D points; use --architecture points")
        }
        // The MLP networks' widest hidden layer has 1,024 units (MLPGenerator, MLPDiscriminator),
        // and a packed MLP discriminator joins `pack` images' pixels to each of its units.
        let hidden = architecture == .mlp ? [("hidden width", 1024), ("pack times hidden width", pack * 1024)] : []
        try validateConfiguration(kind: kind, imageShape: shape, sizes: [("noise size", noise)] + hidden, learningRate: learningRate)
    }
}

/// A stored configuration's pack lies in 1...16, as `--pack` does.
func requirePack(_ pack: Int, kind: String) throws {
    guard (1...16).contains(pack) else { throw ModelConfigurationError.unsuitable(kind: kind, reason: "pack \(pack) is outside 1...16") }
}

/// Adam's betas from a stored configuration must lie in [0, 1).
func requireAdamBetas(_ beta1: Float, _ beta2: Float, kind: String) throws {
    guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "Adam's betas \(beta1), \(beta2) must lie in [0, 1)")
    }
}

/// The DCGAN networks (``DCGANGenerator``, ``DCGANDiscriminator`` and their relatives) are built
/// for 28×28 images: anything else is an error naming the data's size and, if given, what to do.
func requireDCGANImageSize(_ imageShape: [Int], kind: String, otherwise advice: String? = nil) throws {
    guard Array(imageShape.suffix(2)) == [28, 28] else {
        throw ModelConfigurationError.unsuitable(
            kind: kind, reason: "the DCGAN architecture is for 28×28 images, and the data are \(imageShape.map(String.init).joined(separator: "×"))"
                + (advice.map { "; \($0)" } ?? ""))
    }
}
