import Foundation
import MirageData
import MirageNN
import MirageTensor

/// f-AnoGAN (Schlegl et al., 2019): anomaly detection with a trained GAN, through an encoder
/// trained afterwards to invert its generator.
///
/// The GAN learns only normal images, so its generator can make only those. The encoder E maps an
/// image to noise with the generator and discriminator frozen, trained on normal training images
/// by the paper's izi_f loss, ‖x − G(E(x))‖²/n + κ·‖f(x) − f(G(E(x)))‖²/n_f, where f is the
/// discriminator's last hidden layer. An image's anomaly score is that same sum, per image: an
/// anomaly cannot be regenerated, so both its image and its feature residuals stay large.
///
/// Any GAN whose discriminator exposes its features (``FeatureDiscriminator``) can be scored.
/// The encoder mirrors the DCGAN discriminator without batch norm (Conv 64 → Conv 128, LeakyReLU
/// 0.2) and ends in a linear layer to the noise size, unbounded because Mirage's noise is
/// Gaussian (the paper's tanh matched uniform noise). Adam 1e-4, β = (0.5, 0.999), κ = 1.
///
/// ```swift
/// let f = try FAnoGAN.train(gan, images: normalTrainingImages, options: .init(steps: 3000)) { print($0) }
/// let scores = f.scores(testImages)            // [B], higher = more anomalous
/// ```
///
/// - SeeAlso: Schlegl et al., "f-AnoGAN: Fast unsupervised anomaly detection with generative
///   adversarial networks", Medical Image Analysis 54, 2019, <https://doi.org/10.1016/j.media.2019.01.010>.
public final class FAnoGAN {
    /// Training settings of the encoder.
    public struct Options: Codable, Equatable, Sendable {
        public var steps = 3000
        public var batchSize = 64
        public var learningRate: Float = 1e-4
        /// The weight κ of the feature residual.
        public var kappa: Float = 1
        public var seed: UInt64 = 0
        public init(steps: Int = 3000, batchSize: Int = 64, kappa: Float = 1, seed: UInt64 = 0) {
            self.steps = steps
            self.batchSize = batchSize
            self.kappa = kappa
            self.seed = seed
        }
    }

    /// The encoder: images in [-1, 1] to noise vectors.
    public final class Encoder: Module, Layer {
        public let c1: Conv2d
        public let c2: Conv2d
        public let fc: Linear

        /// An encoder of `[C, H, W]` images (H and W multiples of 4: two stride-2 convolutions).
        public init(imageShape: [Int], noise: Int, width: Int = 64, generator g: RandomGenerator) {
            precondition(imageShape.count == 3 && imageShape[1] % 4 == 0 && imageShape[2] % 4 == 0,
                         "FAnoGAN.Encoder: images [C, H, W] with H and W multiples of 4, got \(imageShape)")
            c1 = Conv2d(imageShape[0], width, kernelSize: 4, stride: 2, padding: 1, generator: g)
            c2 = Conv2d(width, width * 2, kernelSize: 4, stride: 2, padding: 1, generator: g)
            fc = Linear(width * 2 * (imageShape[1] / 4) * (imageShape[2] / 4), noise, generator: g)
        }

        public func callAsFunction(_ x: Tensor) -> Tensor {
            fc(c2(c1(x).leakyRelu(0.2)).leakyRelu(0.2).flattened(startAxis: 1))
        }
    }

    public let model: any AdversarialModel
    public let encoder: Encoder
    public let options: Options

    /// Why `model` cannot be scored by f-AnoGAN, or `nil` when it can: it must be an adversarial
    /// model whose discriminator exposes features of images whose sides are multiples of 4, unpacked.
    public static func unsupportedReason(_ model: any GenerativeModel) -> String? {
        guard let m = model as? any AdversarialModel else { return "no generator and discriminator" }
        guard let d = m.adversary as? any FeatureDiscriminator else {
            return "no discriminator that exposes its features (f-AnoGAN needs a FeatureDiscriminator, such as the DCGAN networks')"
        }
        guard m.pack == 1 else { return "a packed discriminator (--pack \(m.pack)), which judges packs rather than single images" }
        guard d.inputShape.count == 3, d.inputShape[1] % 4 == 0, d.inputShape[2] % 4 == 0 else {
            return "images of shape \(d.inputShape), whose sides are not multiples of 4 for the encoder's two stride-2 convolutions"
        }
        return nil
    }

    /// The model's discriminator, as the features it exposes.
    private var discriminator: any FeatureDiscriminator { model.adversary as! any FeatureDiscriminator }

    /// An untrained encoder for `model`.
    public init(_ model: any AdversarialModel, options: Options = Options()) {
        precondition(Self.unsupportedReason(model) == nil, "FAnoGAN: \(Self.unsupportedReason(model)!)")
        self.model = model
        self.options = options
        encoder = Encoder(imageShape: (model.adversary as! any FeatureDiscriminator).inputShape, noise: model.noiseSize,
                          generator: RandomGenerator(seed: options.seed))
        dcganInitialize(encoder, generator: RandomGenerator(seed: options.seed &+ 1))
    }

    /// The per-image residuals of images `x` in [-1, 1]: (image MSE, feature MSE), each `[B]`.
    private func residuals(_ x: Tensor) -> (image: Tensor, features: Tensor) {
        let d = discriminator
        let regenerated = model.generator(encoder(x))
        let di = regenerated - x
        let df = d.features(regenerated) - d.features(x)
        return ((di * di).flattened(startAxis: 1).mean(axis: 1), (df * df).mean(axis: 1))
    }

    /// Trains the encoder on normal images with the generator and discriminator frozen (and in
    /// evaluation mode, so their batch norms use the statistics of the GAN's training).
    ///
    /// - Parameters:
    ///   - count: How many normal training images there are.
    ///   - batch: Returns the normal training images in [0, 1] at the given indices (in `0..<count`).
    ///   - progress: Called after each step with (step, loss).
    public func train(count: Int, batch: ([Int]) -> Tensor, progress: (Int, Float) -> Void = { _, _ in }) {
        precondition(count >= options.batchSize, "FAnoGAN.train: \(count) images, fewer than a batch of \(options.batchSize)")
        model.setTraining(false)
        model.generator.freeze()
        model.adversary.freeze()
        defer {
            model.generator.freeze(false)
            model.adversary.freeze(false)
        }
        encoder.train()
        let optimizer = Adam(encoder.trainableParameters(), learningRate: options.learningRate, betas: (0.5, 0.999))
        let order = RandomGenerator(seed: options.seed &+ 2)
        let updater = Updater()
        var indices: [Int] = []
        for step in 1...options.steps {
            if indices.count < options.batchSize {
                var epoch = Array(0..<count)
                order.shuffle(&epoch)
                indices += epoch
            }
            let x = batch(Array(indices.prefix(options.batchSize))) * 2 - 1
            indices.removeFirst(options.batchSize)
            let (image, features) = residuals(x)
            let loss = image.mean() + options.kappa * features.mean()
            updater.minimize(loss, with: optimizer)
            progress(step, loss.item)
        }
        encoder.eval()
    }

    /// f-AnoGAN's anomaly score of each image `[B, C, H, W]` in [0, 1]: image MSE + κ·feature MSE.
    public func scores(_ images: Tensor) -> Tensor {
        model.setTraining(false)
        encoder.eval()
        return withNoGrad {
            let (image, features) = residuals(images * 2 - 1)
            return image + options.kappa * features
        }
    }

    /// Writes the encoder's weights, with its options and `generator` (which GAN it inverts, e.g.
    /// "dcgan at step 938") as metadata.
    public func save(to url: URL, generator: String) throws {
        let file = Checkpoint(tensors: Dictionary(uniqueKeysWithValues: encoder.stateDict()),
                              metadata: ["fanogan_options": String(decoding: try JSONEncoder().encode(options), as: UTF8.self),
                                         "generator": generator])
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.write(to: url)
    }

    /// The encoder stored at `url` for `model`, or `nil` when there is none, or it was trained
    /// with other options or for another `generator` (a GAN trained further since).
    ///
    /// - Throws: `CheckpointError` for a file that is not this encoder's.
    public static func load(_ model: any AdversarialModel, options: Options, generator: String, from url: URL) throws -> FAnoGAN? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let file = try Checkpoint.read(from: url)
        guard let stored = file.metadata["fanogan_options"],
              let storedOptions = try? JSONDecoder().decode(Options.self, from: Data(stored.utf8)) else {
            throw CheckpointError(path: url.path, problem: "not an f-AnoGAN encoder (no fanogan_options metadata)")
        }
        guard storedOptions == options, file.metadata["generator"] == generator else { return nil }
        let f = FAnoGAN(model, options: options)
        do { try f.encoder.loadStateDict(file.tensors) } catch {
            throw CheckpointError(path: url.path, problem: "does not fit this run's generator: \(error)")
        }
        f.encoder.eval()
        return f
    }
}
