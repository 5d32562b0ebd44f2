import Foundation
import MirageNN
import MirageTensor

/// A generative adversarial network (Goodfellow et al., 2014) with the non-saturating generator
/// loss, in three architectures: MLPs, DCGAN's convolutions (Radford et al., 2016), and the small
/// networks of the 2-D mode-collapse experiments (``PointGenerator``, ``PointDiscriminator``).
///
/// Each step: the discriminator takes one Adam step on BCE(D(real), 1) + BCE(D(G(z)), 0), then
/// the generator one on BCE(D(G(z)), 1) (maximising log D(G(z)) rather than minimising
/// log(1 − D(G(z))), which saturates early in training).
///
/// With ``Config/pack`` m > 1 it is PacGAN: the discriminator judges packs of m samples (see
/// ``Packing``). A step then takes m batches of real samples, packed sample by sample, and the
/// generator draws m times as many samples, so the discriminator sees a batch's worth of packs
/// of each kind, as in PacGAN's code.
///
/// ```swift
/// let gan = GAN(GAN.Config(architecture: .dcgan))
/// let losses = gan.trainStep(StepInput(images: realInMinusOneToOne), context: context) // ["loss_d": …, "loss_g": …, "d_real": …, "d_fake": …]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1406.2661>, <https://arxiv.org/abs/1511.06434>
public final class GAN: GenerativeModel, NoiseToImageModel, LatentDecoding {
    public enum Architecture: String, Codable, Sendable {
        /// ``MLPGenerator`` and ``MLPDiscriminator``, for images of any size.
        case mlp
        /// ``DCGANGenerator`` and ``DCGANDiscriminator``, for 28×28 images.
        case dcgan
        /// ``PointGenerator`` and ``PointDiscriminator``, for 2-D points.
        case points
    }

    public struct Config: Codable, Equatable, Sendable {
        public var architecture = Architecture.dcgan
        /// `[C, H, W]` of an image, or `[2]` for points.
        public var imageShape = [1, 28, 28]
        public var noise = 100
        public var learningRate: Float = 2e-4
        public var beta1: Float = 0.5
        public var beta2: Float = 0.999
        /// Samples per discriminator input (PacGAN's m; 1 for a plain GAN).
        public var pack = 1
        public var seed: UInt64 = 0
        public init(architecture: Architecture = .dcgan) {
            self.architecture = architecture
            if architecture == .points {
                // PacGAN's 2-D settings: 2-D noise, Adam 1e-4 with β₁ = 0.8.
                (imageShape, noise, learningRate, beta1) = ([2], 2, 1e-4, 0.8)
            }
        }
    }

    public let config: Config
    public let generator: any Layer
    public let discriminator: any Layer
    let optimizerG: Adam
    let optimizerD: Adam
    /// Draws the generator's noise during training.
    let noise: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        (generator, discriminator) = adversarialNetworks(config.architecture, sample: config.imageShape, noise: config.noise,
                                                         pack: config.pack, generator: RandomGenerator(seed: config.seed))
        let betas = (config.beta1, config.beta2)
        optimizerG = Adam(generator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        optimizerD = Adam(discriminator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", generator), ("discriminator", discriminator)] }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("discriminator", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    /// Pixels in [-1, 1] for the tanh generator, or 2-D points; one batch per packed sample. The
    /// batch norm of the DCGAN and point generators needs two samples a batch.
    public var data: DataRequirement {
        DataRequirement(shape: config.architecture == .points ? .points : .images, batchesPerStep: config.pack,
                        range: -1...1, minimumBatchSize: config.architecture == .mlp ? 1 : 2)
    }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let real = Packing.pack(input.batches.map(\.images))
        let n = real.shape[0]
        let z = context.shard.draw(n, blocks: config.pack) { Tensor.randn([$0, config.noise], generator: noise) }
        let fake = Packing.pack(generator(z), into: config.pack)

        let dReal = discriminator(real), dFake = discriminator(fake.detached())
        let lossD = AdversarialLoss.discriminator(real: dReal, fake: dFake)
        context.updater.minimize(lossD, with: optimizerD)
        let lossG = context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
            AdversarialLoss.generator(discriminator(fake))
        }
        return ["loss_d": lossD.item, "loss_g": lossG.item,
                "d_real": dReal.sigmoid().mean().item, "d_fake": dFake.sigmoid().mean().item]
    }

    public var noiseSize: Int { config.noise }
    public var generatesPoints: Bool { config.architecture == .points }
}
