import ArgumentParser
import Foundation

extension GAN.Architecture: ExpressibleByArgument, CaseIterable {
    public static var allCases: [GAN.Architecture] { [.dcgan, .mlp, .points] }
}

/// The options both Wasserstein GANs take besides their learning rate and constraint.
public struct WassersteinOptions: ParsableArguments {
    @Option(help: "Size of the generator's noise vector (default 100; 2 on 2-D points).")
    public var latent: Int?

    @Option(help: "Critic updates per generator update.")
    public var criticSteps: Int = 5

    @Option(help: "Networks: dcgan (28×28 images), mlp (images of any size) or points (2-D data); default points on 2-D data, dcgan otherwise.")
    public var architecture: GAN.Architecture?

    @Option(help: "PacGAN: samples the critic judges at once, all real or all generated (1: a plain critic).")
    public var pack: Int = 1

    public init() {}

    public func validate() throws {
        if let latent, latent <= 0 { throw ValidationError("--latent must be positive, got \(latent)") }
        guard (1...100).contains(criticSteps) else { throw ValidationError("--critic-steps must lie in 1...100, got \(criticSteps)") }
        try validatePack(pack)
    }

    /// A configuration with `constraint`, learning rate `lr` and these options.
    func configuration(_ constraint: WGAN.Constraint, lr: Float, seed: UInt64, data: DataDescription) -> WGAN.Config {
        var c = WGAN.Config(constraint: constraint)
        c.architecture = architecture ?? (data.sampleShape == [2] ? .points : .dcgan)
        c.imageShape = data.sampleShape
        c.noise = latent ?? (c.architecture == .points ? 2 : 100)
        c.criticSteps = criticSteps
        c.learningRate = lr
        c.pack = pack
        c.seed = seed
        return c
    }
}

/// `mirage train wgan`: the Wasserstein GAN with weight clipping.
public enum WGANKind: ModelKind {
    public static let name = "wgan"
    public static let summary = "Wasserstein GAN, weight clipping (c = 0.01), RMSprop, 5 critic steps"
    public static let discussion = """
        Each step makes --critic-steps critic updates on fresh batches (clipping every critic \
        weight to [-c, c] after each), then one generator update; --steps counts generator \
        updates. Logs w_distance, the critic's estimate of the Wasserstein distance E[D(real)] - \
        E[D(fake)], which is plotted in loss.png.

        Examples:
          mirage train wgan --steps 3000 --out runs/wgan
          mirage train wgan --architecture mlp --clip 0.02
        """
    public static var acceptsPoints: Bool { true }

    public typealias SamplingOptions = LatentsOption

    public struct Options: ParsableArguments {
        @Option(help: "Learning rate of RMSprop.")
        public var lr: Float = 5e-5

        @Option(help: "The bound c of the critic's weights.")
        public var clip: Float = 0.01

        @OptionGroup public var wasserstein: WassersteinOptions

        public init() {}

        public func validate() throws {
            guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
            guard clip > 0, clip.isFinite else { throw ValidationError("--clip must be a positive number, got \(clip)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> WGAN.Config {
        o.wasserstein.configuration(.weightClipping(bound: o.clip), lr: o.lr, seed: seed, data: data)
    }

    public static func make(_ config: WGAN.Config) throws -> WGAN { try WGAN.checked(config, kind: name) }

    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        upgradeAddingPack(&configuration, from: version)
    }
}

/// `mirage train wgan-gp`: the Wasserstein GAN with a gradient penalty.
public enum WGANGPKind: ModelKind {
    public static let name = "wgan-gp"
    public static let summary = "Wasserstein GAN, gradient penalty (λ = 10), Adam (0, 0.9), 5 critic steps"
    public static let discussion = """
        Each step makes --critic-steps critic updates on fresh batches, each with the penalty \
        λ·(‖∇D(x̂)‖₂ − 1)² on random interpolates of real and generated images (the norm per \
        image over all its pixels and channels; the critic has no batch norm), then one \
        generator update; --steps counts generator updates. Logs w_distance and penalty.

        Examples:
          mirage train wgan-gp --steps 3000 --out runs/wgan-gp
          mirage train wgan-gp --penalty 5 --critic-steps 3
          mirage train wgan-gp --dataset ring8 --batch-size 100 --steps 20000 --out runs/wgan-gp-ring8
        """
    public static var acceptsPoints: Bool { true }

    public typealias SamplingOptions = LatentsOption

    public struct Options: ParsableArguments {
        @Option(help: "Learning rate of Adam (betas 0, 0.9).")
        public var lr: Float = 1e-4

        @Option(help: "The penalty's weight λ.")
        public var penalty: Float = 10

        @OptionGroup public var wasserstein: WassersteinOptions

        public init() {}

        public func validate() throws {
            guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
            guard penalty >= 0, penalty.isFinite else { throw ValidationError("--penalty must be a number ≥ 0, got \(penalty)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> WGAN.Config {
        o.wasserstein.configuration(.gradientPenalty(weight: o.penalty), lr: o.lr, seed: seed, data: data)
    }

    public static func make(_ config: WGAN.Config) throws -> WGAN { try WGAN.checked(config, kind: name) }

    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        upgradeAddingPack(&configuration, from: version)
    }
}

extension WGAN {
    /// The WGAN for `config`, after checking what its constructor would otherwise stop on.
    static func checked(_ config: Config, kind: String) throws -> WGAN {
        try validateSamples(kind: kind, architecture: config.architecture, shape: config.imageShape, noise: config.noise,
                            pack: config.pack, learningRate: config.learningRate)
        guard (1...100).contains(config.criticSteps) else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "critic steps \(config.criticSteps) is outside 1...100")
        }
        switch config.constraint {
        case .weightClipping(let c) where c > 0 && c.isFinite: break
        case .gradientPenalty(let w) where w >= 0 && w.isFinite: break
        default: throw ModelConfigurationError.unsuitable(kind: kind, reason: "constraint \(config.constraint) is out of range")
        }
        if config.architecture == .dcgan {
            try requireDCGANImageSize(config.imageShape, kind: kind, otherwise: "use --architecture mlp, or 28×28 data")
        }
        return WGAN(config)
    }
}
