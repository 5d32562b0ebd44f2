import Foundation
import MirageNN
import MirageTensor

/// A generative adversarial network (Goodfellow et al., 2014) with the non-saturating generator
/// loss, in two architectures: MLPs, and DCGAN's convolutions (Radford et al., 2016).
///
/// Each step: the discriminator takes one Adam step on BCE(D(real), 1) + BCE(D(G(z)), 0), then
/// the generator one on BCE(D(G(z)), 1) (maximising log D(G(z)) rather than minimising
/// log(1 − D(G(z))), which saturates early in training).
///
/// ```swift
/// let gan = GAN(GAN.Config(architecture: .dcgan))
/// let losses = gan.trainStep(StepInput(images: realInMinusOneToOne), context: context) // ["loss_d": …, "loss_g": …, "d_real": …, "d_fake": …]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1406.2661>, <https://arxiv.org/abs/1511.06434>
public final class GAN: GenerativeModel, NoiseToImageModel {
    public enum Architecture: String, Codable, Sendable {
        case mlp, dcgan
    }

    public struct Config: Codable, Equatable, Sendable {
        public var architecture = Architecture.dcgan
        public var imageShape = [1, 28, 28]
        public var noise = 100
        public var learningRate: Float = 2e-4
        public var beta1: Float = 0.5
        public var beta2: Float = 0.999
        public var seed: UInt64 = 0
        public init(architecture: Architecture = .dcgan) { self.architecture = architecture }
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
        let g = RandomGenerator(seed: config.seed)
        switch config.architecture {
        case .mlp:
            generator = MLPGenerator(noise: config.noise, imageShape: config.imageShape, generator: g)
            discriminator = MLPDiscriminator(imageShape: config.imageShape, generator: g)
        case .dcgan:
            precondition(Array(config.imageShape.suffix(2)) == [28, 28], "GAN: the DCGAN architecture is for 28×28 images, got \(config.imageShape)")
            generator = DCGANGenerator(noise: config.noise, channels: config.imageShape[0], generator: g)
            discriminator = DCGANDiscriminator(channels: config.imageShape[0], generator: g)
            dcganInitialize(generator, generator: g)
            dcganInitialize(discriminator, generator: g)
        }
        let betas = (config.beta1, config.beta2)
        optimizerG = Adam(generator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        optimizerD = Adam(discriminator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", generator), ("discriminator", discriminator)] }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("discriminator", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    /// Pixels in [-1, 1] for the tanh generator; the DCGAN's batch norm after its first linear
    /// layer needs two images a batch.
    public var data: DataRequirement { DataRequirement(range: -1...1, minimumBatchSize: config.architecture == .dcgan ? 2 : 1) }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let real = input.images
        let n = real.shape[0]
        let ones = Tensor.ones([n, 1]), zeros = Tensor.zeros([n, 1])
        let fake = generator(Tensor.randn([n, config.noise], generator: noise))

        let dReal = discriminator(real), dFake = discriminator(fake.detached())
        let lossD = binaryCrossEntropyWithLogits(dReal, ones) + binaryCrossEntropyWithLogits(dFake, zeros)
        lossD.backward()
        optimizerD.step()
        optimizerD.zeroGrad()

        // The discriminator judges the generator's step without being trained by it, so its
        // parameters' gradients are not even computed.
        discriminator.freeze()
        defer { discriminator.freeze(false) }
        let lossG = binaryCrossEntropyWithLogits(discriminator(fake), ones)
        lossG.backward()
        optimizerG.step()
        optimizerG.zeroGrad()
        return ["loss_d": lossD.item, "loss_g": lossG.item,
                "d_real": dReal.sigmoid().mean().item, "d_fake": dFake.sigmoid().mean().item]
    }

    public var noiseSize: Int { config.noise }
}
