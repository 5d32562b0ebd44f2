import ArgumentParser
import Foundation

extension VAE.Architecture: ExpressibleByArgument {}

/// `mirage train vae`: the variational autoencoder.
public enum VAEKind: ModelKind {
    public static let name = "vae"
    public static let summary = "variational autoencoder (784-400-20 or convolutional, Bernoulli decoder)"
    public static let discussion = """
        MLP encoder and decoder (or, with --architecture conv, two stride-2 convolutions before \
        the encoder's hidden layer and two transposed ones after the decoder's) with the \
        reparameterisation trick, trained on the ELBO (logged as elbo, reconstruction and kl). The \
        Bernoulli decoder sees dynamically binarised pixels; --gaussian-decoder models the gray \
        levels instead. Sheets: prior samples, reconstructions, latent interpolations, and with \
        --latent 2 a map of the latent plane.

        Examples:
          mirage train vae --epochs 10 --batch-size 128 --out runs/vae
          mirage train vae --latent 2 --steps 5000
          mirage train vae --architecture conv --latent 2 --exclude-class 3
          mirage eval nll runs/vae
        """

    public typealias SamplingOptions = LatentsOption

    public struct Options: ParsableArguments {
        @Option(help: "Networks: mlp (one hidden layer each) or conv (two 4×4 stride-2 convolutions each side of it; image sides must be multiples of 4).")
        public var architecture: VAE.Architecture = .mlp

        @Option(help: "Learning rate of Adam.")
        public var lr: Float = 1e-3

        @Option(help: "Size of the latent code.")
        public var latent: Int = 20

        @Option(help: "Width of the hidden layers.")
        public var hidden: Int = 400

        @Flag(help: "Gaussian decoder on continuous pixels instead of Bernoulli on binarised ones.")
        public var gaussianDecoder = false

        public init() {}

        public func validate() throws {
            try validatePositive(lr: lr, latent: latent)
            guard hidden > 0 else { throw ValidationError("--hidden must be positive, got \(hidden)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> VAE.Config {
        var c = VAE.Config(latent: o.latent, decoder: o.gaussianDecoder ? .gaussian : .bernoulli, architecture: o.architecture)
        c.imageShape = data.sampleShape
        c.hidden = o.hidden
        c.learningRate = o.lr
        c.seed = seed
        return c
    }

    /// Version 0 (runs from before configuration versions): from before the choice of networks,
    /// which were the MLP's.
    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        if version < 1, configuration["architecture"] == nil { configuration["architecture"] = VAE.Architecture.mlp.rawValue }
    }

    public static func make(_ config: VAE.Config) throws -> VAE {
        try validateConfiguration(kind: name, imageShape: config.imageShape, sizes: [("hidden", config.hidden), ("latent", config.latent)],
                                  denseInputs: config.denseInputs, learningRate: config.learningRate)
        if let side = config.sideTheConvolutionsCannotHalve {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "the conv architecture halves the image twice, so its sides must be "
                                                         + "multiples of 4; \(config.imageShape) has a side of \(side)")
        }
        return VAE(config)
    }
}
