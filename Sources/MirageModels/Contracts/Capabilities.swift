import Foundation
import MirageTensor

/// A model that draws new samples from noise: `mirage sample RUN`. Every model does except the
/// translation models, which map an input image to an output (``TranslationModel``).
///
/// ```swift
/// if let sampler = model as? any Sampling {
///     let images = sampler.sample(count: 64, generator: RandomGenerator(seed: 0))
/// }
/// ```
public protocol Sampling: GenerativeModel {
    /// The shape of one sample: `[C, H, W]`, or `[2]` for a 2-D model's points. `mirage sample`
    /// sizes its output (and checks the free disk) from it before drawing.
    var sampleShape: [Int] { get }

    /// New samples, `[count, C, H, W]` in [0, 1] (`[count, 2]` points for a 2-D model).
    func sample(count: Int, generator: RandomGenerator) -> Tensor
}

/// A model that can draw samples of a chosen class: `mirage sample RUN --class K`.
///
/// ```swift
/// if let conditional = model as? any ConditionalSampling {
///     let sevens = conditional.sample(count: 16, class: 7, generator: RandomGenerator(seed: 0))
/// }
/// ```
public protocol ConditionalSampling: Sampling {
    /// The number of classes; classes are `0..<classCount`.
    var classCount: Int { get }
    /// New samples of class `label`, `[count, C, H, W]` in [0, 1].
    func sample(count: Int, class label: Int, generator: RandomGenerator) -> Tensor
}

/// A model whose samples are a deterministic function of a latent vector it draws from a
/// standard normal: `mirage sample RUN --latents z.npy` generates from given vectors, so the same
/// latents can be fed to the PyTorch peer with Mirage's weights, or walked by hand.
///
/// ```swift
/// if let decoder = model as? any LatentDecoding {
///     let z = Tensor.randn([16, decoder.latentSize], generator: RandomGenerator(seed: 0))
///     let images = decoder.decode(latents: z)                // [16, C, H, W] in [0, 1]
/// }
/// ```
public protocol LatentDecoding: Sampling {
    /// The size of one latent vector.
    var latentSize: Int { get }
    /// The samples of the latent vectors `z` (`[N, latentSize]`), in [0, 1] like ``Sampling/sample(count:generator:)``'s.
    func decode(latents z: Tensor) -> Tensor
}

/// What ``LikelihoodModel/negativeLogLikelihood(_:samples:generator:)`` returns for a batch.
public struct LikelihoodEstimate {
    /// −log p(x) per example in nats: exact, or an upper bound (see ``method``).
    public var nll: Tensor
    /// The evidence lower bound per example in nats, for latent-variable models; `nil` otherwise.
    public var elbo: Tensor?
    /// How ``nll`` was obtained, for reports: "exact", "IWAE, k=1000".
    public var method: String

    public init(nll: Tensor, elbo: Tensor? = nil, method: String) {
        self.nll = nll
        self.elbo = elbo
        self.method = method
    }
}

/// A model with a likelihood or a bound on it: `mirage eval nll RUN`.
public protocol LikelihoodModel: GenerativeModel {
    /// Why this model's likelihood is not defined here (e.g. a VAE with a Gaussian decoder on
    /// 8-bit pixels), or `nil` when it is.
    var likelihoodUnavailableReason: String? { get }

    /// Test images `[B, C, H, W]` in [0, 1] as the likelihood is defined on them (binarised for a
    /// Bernoulli decoder, dequantised for a flow), drawing any randomness from `generator`.
    func likelihoodInput(_ images: Tensor, generator: RandomGenerator) -> Tensor

    /// Whether the likelihood is of binary pixels (``likelihoodInput(_:generator:)`` draws 0s and
    /// 1s) rather than of the 8-bit image; `false` unless the model says so.
    var likelihoodIsOfBinaryPixels: Bool { get }

    /// −log p(x) per example of `x` (prepared by ``likelihoodInput(_:generator:)``), in nats.
    ///
    /// - Parameters:
    ///   - x: The examples, as ``likelihoodInput(_:generator:)`` prepared them.
    ///   - samples: Importance samples per example, for models with a bound that
    ///     tightens with more (ignored by exact models).
    ///   - generator: The source of any randomness the estimate draws.
    func negativeLogLikelihood(_ x: Tensor, samples: Int, generator: RandomGenerator) -> LikelihoodEstimate
}

extension LikelihoodModel {
    public var likelihoodIsOfBinaryPixels: Bool { false }
}

/// A model that maps an image to a reconstruction of it: `mirage eval reconstruction RUN`.
public protocol ReconstructionModel: GenerativeModel {
    /// Reconstructions in [0, 1] of images `[B, C, H, W]` in [0, 1].
    func reconstruct(_ images: Tensor) -> Tensor
    /// The corruption a denoising model learned to undo, applied to images in [0, 1], or `nil`
    /// for a model that reconstructs clean inputs only.
    func corrupt(_ images: Tensor, generator: RandomGenerator) -> Tensor?
}

/// A model that cannot do what a command asked: the message names the models that can.
public struct MissingCapability: Error, CustomStringConvertible {
    /// The run or model that was asked.
    public var subject: String
    /// What it lacks, as a noun phrase: "a likelihood", "conditional sampling".
    public var capability: String
    /// The kinds that have it.
    public var modelsWithIt: [String]

    public init(subject: String, capability: String, modelsWithIt: [String]) {
        self.subject = subject
        self.capability = capability
        self.modelsWithIt = modelsWithIt
    }

    public var description: String {
        "\(subject) has no \(capability); models that have it: "
            + (modelsWithIt.isEmpty ? "none yet" : modelsWithIt.joined(separator: ", "))
    }
}

/// A model that samples from a moving average of its weights (diffusion), which a plain state
/// dict does not carry: `mirage import` loads the weights, then restarts the average at them.
public protocol AveragedWeights: GenerativeModel {
    /// Sets the average to the networks' current weights, with a fresh run's warm-up.
    func restartAverage()
}

/// Which way a translation model maps its two domains.
public enum TranslationDirection: String, Codable, Sendable, CaseIterable {
    /// Domain A's images to domain B's (e.g. edge maps → digits).
    case aToB = "a-to-b"
    /// Domain B's images to domain A's.
    case bToA = "b-to-a"

    /// The other way round.
    public var reversed: TranslationDirection { self == .aToB ? .bToA : .aToB }
}

/// A model that maps images of one domain to another (pix2pix, CycleGAN):
/// `mirage translate RUN INPUT --out OUT.npy [--direction a-to-b|b-to-a]`.
///
/// ```swift
/// if let translator = model as? any TranslationModel {
///     let digits = translator.translate(edges, direction: .aToB)   // [B, 1, 28, 28] in [0, 1]
/// }
/// ```
public protocol TranslationModel: GenerativeModel {
    /// The directions it translates in: pix2pix's one trained direction, both for CycleGAN.
    var directions: [TranslationDirection] { get }

    /// `[C, H, W]` of the images it takes in `direction`.
    func inputShape(_ direction: TranslationDirection) -> [Int]

    /// The translations in [0, 1] of images `[B, C, H, W]` in [0, 1] of ``inputShape(_:)``, with
    /// the networks in evaluation mode.
    func translate(_ images: Tensor, direction: TranslationDirection) -> Tensor
}

/// A model with an intermediate latent space between its noise and its images, such as
/// StyleGAN's W (the mapping network's output), in which `mirage eval ppl` measures the
/// perceptual path length.
///
/// ```swift
/// if let model = run.model as? any IntermediateLatentModel {
///     let w = model.intermediate(Tensor.randn([2, model.noiseSize]))   // [2, d]
///     let images = model.images(intermediate: w)                       // [2, C, H, W] in [0, 1]
/// }
/// ```
public protocol IntermediateLatentModel: Sampling {
    /// The size of the noise z.
    var noiseSize: Int { get }
    /// The intermediate latents of noise `z` (`[N, noiseSize]`), as the model samples with them.
    func intermediate(_ z: Tensor) -> Tensor
    /// Images in [0, 1] drawn from intermediate latents `[N, d]` with no other randomness.
    func images(intermediate w: Tensor) -> Tensor
}

/// Which styles of a mixed image come from the second latent.
public enum StyleRows: String, CaseIterable, Sendable {
    /// The coarse styles (4×4 and 8×8: pose, shape, the digit).
    case coarse
    /// The fine styles (16×16 and up: stroke, texture).
    case fine
}

/// Whether images draw their per-pixel noise inputs or use none.
public enum NoiseInputMode: String, Codable, CaseIterable, Sendable { case random, zero }

/// A model whose images take a style per layer from an intermediate latent, so that two
/// latents mix: the coarse layers' styles from one, the fine layers' from the other
/// (StyleGAN's style mixing). `mirage eval mixing` measures which layers carry the class.
///
/// ```swift
/// if let model = run.model as? any StyleMixingModel {
///     let (s, t) = (Tensor.randn([8, model.noiseSize]), Tensor.randn([8, model.noiseSize]))
///     let shapesOfT = model.mixed(source: s, other: t, rows: .coarse, psi: 1, noise: .zero, generator: RandomGenerator(seed: 0))
/// }
/// ```
public protocol StyleMixingModel: IntermediateLatentModel {
    /// Whether the images have fine styles apart from the coarse ones (a side above 8).
    var hasFineStyles: Bool { get }
    /// Images in [0, 1] of noise `source` whose `rows` styles come from noise `other` instead
    /// (both `[N, noiseSize]`), w truncated by ψ, noise inputs drawn from `generator` or none.
    /// Mixing a latent with itself gives its own image.
    func mixed(source: Tensor, other: Tensor, rows: StyleRows, psi: Float, noise: NoiseInputMode,
               generator: RandomGenerator) -> Tensor
}
