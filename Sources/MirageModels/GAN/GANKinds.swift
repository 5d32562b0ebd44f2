import ArgumentParser
import Foundation

/// The options both GAN kinds take.
public struct GANOptions: ParsableArguments {
    @Option(help: "Learning rate of both Adam optimizers.")
    public var lr: Float = 2e-4

    @Option(help: "Size of the generator's noise vector.")
    public var latent: Int = 100

    @Option(help: "Adam's β₁ (DCGAN's 0.5 steadies adversarial training).")
    public var beta1: Float = 0.5

    @Option(help: "Adam's β₂.")
    public var beta2: Float = 0.999

    public init() {}

    public func validate() throws {
        try validatePositive(lr: lr, latent: latent)
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw ValidationError("--beta1 and --beta2 must lie in [0, 1), got \(beta1) and \(beta2)")
        }
    }

    func configuration(_ architecture: GAN.Architecture, seed: UInt64, data: DataDescription) -> GAN.Config {
        var c = GAN.Config(architecture: architecture)
        c.imageShape = data.sampleShape
        c.noise = latent
        c.learningRate = lr
        c.beta1 = beta1
        c.beta2 = beta2
        c.seed = seed
        return c
    }
}

/// `mirage train gan`: the GAN with MLP networks.
public enum GANKind: ModelKind {
    public static let name = "gan"
    public static let summary = "GAN with MLP networks, non-saturating loss"
    public static let discussion = """
        G 100-256-512-1024-784 and D 784-512-256-1 with leaky ReLUs; each step one discriminator \
        and one generator update, non-saturating loss, Adam 2e-4 (0.5, 0.999). Sheets: samples at \
        fixed noise, interpolations between noise vectors.

        Examples:
          mirage train gan --epochs 5 --out runs/gan
          mirage sample runs/gan --count 10000 --out gan.npy && mirage eval samples gan.npy
        """

    public typealias Options = GANOptions

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> GAN.Config {
        o.configuration(.mlp, seed: seed, data: data)
    }

    public static func make(_ config: GAN.Config) throws -> GAN { try GAN.checked(config, kind: name) }
}

/// `mirage train dcgan`: the DCGAN for 28×28 images.
public enum DCGANKind: ModelKind {
    public static let name = "dcgan"
    public static let summary = "DCGAN for 28×28 images (the benchmark architecture)"
    public static let discussion = """
        G fc → 128×7×7 → ConvT 64 → ConvT C with batch norm, D conv 64 → conv 128 → fc, DCGAN \
        initialisation, non-saturating loss, Adam 2e-4 (0.5, 0.999). Trains on any 28×28 data: \
        mnist, fashion-mnist, kmnist, emnist, the derived MNIST domains, 28×28 PNG folders.

        Examples:
          mirage train dcgan --epochs 5 --out runs/dcgan
          mirage train dcgan --dataset mnist-inverted --steps 3000
          mirage train dcgan --dataset fashion-mnist --data-dir ~/datasets
        """

    public typealias Options = GANOptions

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> GAN.Config {
        o.configuration(.dcgan, seed: seed, data: data)
    }

    public static func make(_ config: GAN.Config) throws -> GAN { try GAN.checked(config, kind: name) }
}

extension GAN {
    /// The GAN for `config`, after checking what its constructor would otherwise stop on.
    static func checked(_ config: Config, kind: String) throws -> GAN {
        // The MLP networks' widest hidden layer has 1,024 units (MLPGenerator, MLPDiscriminator).
        let hidden = config.architecture == .mlp ? [("hidden width", 1024)] : []
        try validateConfiguration(kind: kind, imageShape: config.imageShape, sizes: [("noise size", config.noise)] + hidden,
                                  learningRate: config.learningRate)
        try requireAdamBetas(config.beta1, config.beta2, kind: kind)
        if config.architecture == .dcgan { try requireDCGANImageSize(config.imageShape, kind: kind, otherwise: "use gan, or 28×28 data") }
        return GAN(config)
    }
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
