import ArgumentParser
import Foundation

/// `mirage train ae`: the plain autoencoder.
public enum AutoencoderKind: ModelKind {
    public static let name = "ae"
    public static let summary = "autoencoder (MLP, 32-d code)"
    public static let discussion = """
        MLP 784-512-256-32 and back, binary cross-entropy to the pixels, Adam. Sheets: test digits \
        above their reconstructions.

        Examples:
          mirage train ae --epochs 5 --out runs/ae
          mirage eval reconstruction runs/ae
        """

    public struct Options: ParsableArguments {
        @Option(help: "Learning rate of Adam.")
        public var lr: Float = 1e-3

        @Option(help: "Size of the code.")
        public var latent: Int = 32

        public init() {}

        public func validate() throws {
            try validatePositive(lr: lr, latent: latent)
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> Autoencoder.Config {
        var c = Autoencoder.Config(noise: .none)
        c.imageShape = data.sampleShape
        c.learningRate = o.lr
        c.latent = o.latent
        c.seed = seed
        return c
    }

    public static func make(_ config: Autoencoder.Config) throws -> Autoencoder {
        try validate(config, kind: name)
        return Autoencoder(config)
    }

    /// The checks both autoencoder kinds make on a configuration.
    static func validate(_ c: Autoencoder.Config, kind: String) throws {
        try validateConfiguration(kind: kind, imageShape: c.imageShape, sizes: [("hidden", c.hidden), ("latent", c.latent)],
                                  learningRate: c.learningRate)
        guard c.hidden >= 2 else { throw ModelConfigurationError.unsuitable(kind: kind, reason: "hidden \(c.hidden) must be at least 2") }
        switch c.noise {
        case .none: break
        case .gaussian(let std) where std > 0 && std.isFinite: break
        case .masking(let p) where p > 0 && p < 1: break
        default: throw ModelConfigurationError.unsuitable(kind: kind, reason: "corruption \(c.noise) is out of range")
        }
    }
}

/// `mirage train dae`: the denoising autoencoder.
public enum DenoisingAutoencoderKind: ModelKind {
    public static let name = "dae"
    public static let summary = "denoising autoencoder (Gaussian σ=0.5, or --noise masking)"
    public static let discussion = """
        The autoencoder's networks, trained from corrupted inputs (Gaussian noise, or half the \
        pixels masked) to the clean images. Sheets: digit, corrupted digit, reconstruction.

        Examples:
          mirage train dae --epochs 5 --out runs/dae
          mirage train dae --noise masking --steps 2000
          mirage eval reconstruction runs/dae
        """

    /// The corruption, as the command line names it.
    public enum Corruption: String, ExpressibleByArgument, CaseIterable, Sendable {
        case gaussian, masking
    }

    public struct Options: ParsableArguments {
        /// The plain autoencoder's options: learning rate and code size.
        @OptionGroup public var autoencoder: AutoencoderKind.Options

        @Option(help: "Corruption: gaussian (σ = --noise-level) or masking (each pixel zeroed with probability --noise-level).")
        public var noise: Corruption = .gaussian

        @Option(help: "σ of the Gaussian noise, or the masking probability.")
        public var noiseLevel: Float = 0.5

        public init() {}

        public func validate() throws {
            guard noiseLevel > 0, noiseLevel.isFinite, noise == .gaussian || noiseLevel < 1 else {
                throw ValidationError("--noise-level must be positive (and below 1 for masking), got \(noiseLevel)")
            }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> Autoencoder.Config {
        var c = try AutoencoderKind.configuration(o.autoencoder, seed: seed, data: data)
        c.noise = o.noise == .masking ? .masking(probability: o.noiseLevel) : .gaussian(std: o.noiseLevel)
        return c
    }

    public static func make(_ config: Autoencoder.Config) throws -> Autoencoder {
        guard config.noise != .none else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "a denoising autoencoder needs a corruption")
        }
        try AutoencoderKind.validate(config, kind: name)
        return Autoencoder(config)
    }
}
