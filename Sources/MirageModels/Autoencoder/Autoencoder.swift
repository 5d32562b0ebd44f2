import Foundation
import MirageNN
import MirageTensor

/// An autoencoder on flattened images, optionally denoising (Vincent et al., 2008): the encoder
/// sees a corrupted image and the decoder must reproduce the clean one.
///
/// Encoder `D → hidden → hidden/2 → latent`, decoder the mirror image, ReLU between layers and
/// a sigmoid output; the loss is binary cross-entropy to the clean pixels in [0, 1] (MSE is
/// reported as the reconstruction error).
///
/// ```swift
/// let dae = Autoencoder(Autoencoder.Config(noise: .gaussian(std: 0.5)))
/// let losses = dae.trainStep(StepInput(images: batch), context: context)
/// ```
///
/// - SeeAlso: <https://www.cs.toronto.edu/~hinton/absps/science.pdf>,
///   <https://www.iro.umontreal.ca/~vincentp/Publications/denoising_autoencoders_tr1316.pdf>
public final class Autoencoder: GenerativeModel, Sampling, ReconstructionModel {
    /// How the denoising autoencoder corrupts its input.
    public enum Noise: Codable, Equatable, Sendable {
        /// Plain autoencoder.
        case none
        /// Adds N(0, std²) noise and clamps to [0, 1].
        case gaussian(std: Float)
        /// Sets each pixel to 0 with probability `probability`.
        case masking(probability: Float)
    }

    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        public var hidden = 512
        public var latent = 32
        public var learningRate: Float = 1e-3
        public var noise = Noise.none
        public var seed: UInt64 = 0
        public init(noise: Noise = .none) { self.noise = noise }
    }

    public let config: Config
    public let encoder: Sequential
    public let decoder: Sequential
    let optimizer: Adam
    /// Draws the corruption noise.
    let corruption: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        let d = config.imageShape.reduce(1, *), h = config.hidden
        encoder = Sequential(Flatten(), Linear(d, h, generator: g), ReLU(), Linear(h, h / 2, generator: g), ReLU(),
                             Linear(h / 2, config.latent, generator: g))
        decoder = Sequential(Linear(config.latent, h / 2, generator: g), ReLU(), Linear(h / 2, h, generator: g), ReLU(),
                             Linear(h, d, generator: g), Reshape(config.imageShape))
        optimizer = Adam(encoder.trainableParameters() + decoder.trainableParameters(), learningRate: config.learningRate)
        corruption = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("encoder", encoder), ("decoder", decoder)] }
    public var optimizers: [(String, Optimizer)] { [("adam", optimizer)] }
    public var generators: [(String, RandomGenerator)] { [("corruption", corruption)] }
    public var data: DataRequirement { DataRequirement(range: 0...1) }

    /// The configured corruption, or `nil` for a plain autoencoder.
    public func corrupt(_ images: Tensor, generator: RandomGenerator) -> Tensor? {
        config.noise == .none ? nil : corrupted(images, generator: generator)
    }

    /// `x` with the configured corruption applied (unchanged for a plain autoencoder), drawing
    /// from `generator` or else the model's own corruption generator, for the global batch of
    /// which `x` is `shard`'s rows.
    public func corrupted(_ x: Tensor, generator: RandomGenerator? = nil, shard: BatchShard = .whole) -> Tensor {
        let g = generator ?? corruption
        let rows = x.shape[0], each = Array(x.shape.dropFirst())
        switch config.noise {
        case .none: return x
        case .gaussian(let std):
            return (x + shard.draw(rows) { Tensor.randn([$0] + each, std: std, generator: g) }).clamped(min: 0, max: 1)
        case .masking(let p): return x * shard.draw(rows) { Tensor.bernoulli([$0] + each, probability: 1 - p, generator: g) }
        }
    }

    /// Decoder logits for an input (no corruption applied here).
    public func reconstructionLogits(_ x: Tensor) -> Tensor { decoder(encoder(x)) }

    /// Reconstructions in [0, 1].
    public func reconstruct(_ x: Tensor) -> Tensor { reconstructionLogits(x).sigmoid() }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let images = input.images
        let logits = reconstructionLogits(corrupted(images, shard: context.shard))
        let loss = binaryCrossEntropyWithLogits(logits, images, reduction: .sum) / Float(images.shape[0])
        context.updater.minimize(loss, with: optimizer)
        let mse = withNoGrad { mseLoss(logits.sigmoid(), images).item }
        return ["loss": loss.item, "mse": mse]
    }

    /// Decodes random codes drawn around the training codes' scale. An autoencoder has no prior:
    /// these are only indicative, which is why the VAE exists.
    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        withNoGrad { decoder(Tensor.randn([count, config.latent], generator: generator)).sigmoid() }
    }

    public func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] {
        withNoGrad {
            let n = min(fixed.images.shape[0], 32)
            let x = fixed.images.sliced(axis: 0, 0..<n)
            let noisy = corrupted(x, generator: noise)
            let rows = config.noise == .none ? [x, reconstruct(x)] : [x, noisy, reconstruct(noisy)]
            // Interleave: each column shows one digit and what became of it.
            let grid = Tensor.concat(rows.map { $0.unsqueezed(axis: 0) }, axis: 0)
                .permuted([1, 0, 2, 3, 4]).reshaped([n * rows.count] + config.imageShape)
            return [Sheet(name: "reconstructions", images: grid, columns: rows.count * 8)]
        }
    }
}
