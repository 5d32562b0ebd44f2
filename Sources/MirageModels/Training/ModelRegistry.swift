import Foundation

/// The models the command line knows, by kind, and how to build each from a configuration
/// (fresh, or the one stored in a checkpoint).
public enum ModelRegistry {
    /// Kinds with a one-line description, in the order `mirage train --help` lists them.
    public static let kinds: [(name: String, summary: String)] = [
        ("ae", "autoencoder (MLP, 32-d code)"),
        ("dae", "denoising autoencoder (Gaussian σ=0.5, or --noise masking)"),
        ("vae", "variational autoencoder (784-400-20, Bernoulli decoder)"),
        ("gan", "GAN with MLP networks, non-saturating loss"),
        ("dcgan", "DCGAN for 28×28 images (the benchmark architecture)"),
    ]

    /// A model of `kind` built from a stored configuration, or from `defaults` applied to the
    /// kind's default configuration.
    ///
    /// - Throws: ``ModelRegistryError`` for an unknown kind or a configuration that does not decode.
    public static func make(kind: String, configuration: Data? = nil,
                            defaults: (inout ModelDefaults) -> Void = { _ in }) throws -> any GenerativeModel {
        var d = ModelDefaults()
        defaults(&d)
        func decode<C: Decodable>(_ type: C.Type, or fresh: C) throws -> C {
            guard let configuration else { return fresh }
            do { return try JSONDecoder().decode(C.self, from: configuration) } catch {
                throw ModelRegistryError.badConfiguration(kind: kind, reason: "\(error)")
            }
        }
        switch kind {
        case "ae", "dae":
            var c = Autoencoder.Config(noise: kind == "ae" ? .none : d.corruption)
            c.seed = d.seed
            if let lr = d.learningRate { c.learningRate = lr }
            if let z = d.latent { c.latent = z }
            return Autoencoder(try decode(Autoencoder.Config.self, or: c))
        case "vae":
            var c = VAE.Config(latent: d.latent ?? 20, decoder: d.gaussianDecoder ? .gaussian : .bernoulli)
            c.seed = d.seed
            if let lr = d.learningRate { c.learningRate = lr }
            return VAE(try decode(VAE.Config.self, or: c))
        case "gan", "dcgan":
            var c = GAN.Config(architecture: kind == "gan" ? .mlp : .dcgan)
            c.seed = d.seed
            if let lr = d.learningRate { c.learningRate = lr }
            if let z = d.latent { c.noise = z }
            return GAN(try decode(GAN.Config.self, or: c))
        default:
            throw ModelRegistryError.unknownKind(kind)
        }
    }
}

/// Command-line choices that shape a fresh model.
public struct ModelDefaults {
    public var seed: UInt64 = 0
    public var learningRate: Float?
    /// Code size (AE, VAE) or noise size (GANs).
    public var latent: Int?
    public var corruption = Autoencoder.Noise.gaussian(std: 0.5)
    public var gaussianDecoder = false
    public init() {}
}

public enum ModelRegistryError: Error, CustomStringConvertible {
    case unknownKind(String)
    case badConfiguration(kind: String, reason: String)

    public var description: String {
        switch self {
        case .unknownKind(let k):
            "unknown model '\(k)'; known models: \(ModelRegistry.kinds.map(\.name).joined(separator: ", "))"
        case .badConfiguration(let k, let reason):
            "the stored configuration of the \(k) model does not decode: \(reason)"
        }
    }
}
