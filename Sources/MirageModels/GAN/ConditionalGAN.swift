import Foundation
import MirageNN
import MirageTensor

/// A conditional GAN (Mirza & Osindero, 2014) on the DCGAN networks: the class enters the
/// generator as a one-hot vector concatenated to the noise, and the discriminator as one constant
/// label map per class stacked onto the image's channels, so both judge "a real K" rather than
/// "a real digit". Losses and optimizers are the DCGAN's (non-saturating BCE, Adam 2e-4 (0.5,
/// 0.999)); the discriminator sees real images with their own labels and fakes with the labels
/// they were generated for. With ``Config/pack`` m > 1 it is a conditional PacGAN: the
/// discriminator judges m (image, label maps) pairs stacked on the channels, all real or all
/// generated (see ``Packing``), and a step takes m batches.
///
/// ```swift
/// let cgan = ConditionalGAN(ConditionalGAN.Config())
/// let sevens = cgan.sample(count: 16, class: 7, generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1411.1784>
public final class ConditionalGAN: GenerativeModel, ConditionalSampling {
    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        public var classes = 10
        public var noise = 100
        public var learningRate: Float = 2e-4
        public var beta1: Float = 0.5
        public var beta2: Float = 0.999
        /// Samples per discriminator input (PacGAN's m; 1 for a plain conditional GAN).
        public var pack = 1
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config
    /// Maps noise and a one-hot class (`noise + classes` inputs) to an image in [-1, 1].
    public let generator: DCGANGenerator
    /// Scores an image stacked with its class's label maps (`channels + classes` channels), or
    /// `pack` of them stacked in turn.
    public let discriminator: DCGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// Draws the generator's noise and the classes of its fakes during training.
    let noise: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        generator = DCGANGenerator(noise: config.noise + config.classes, channels: config.imageShape[0], generator: g)
        discriminator = DCGANDiscriminator(channels: config.pack * (config.imageShape[0] + config.classes), generator: g)
        dcganInitialize(generator, generator: g)
        dcganInitialize(discriminator, generator: g)
        let betas = (config.beta1, config.beta2)
        optimizerG = Adam(generator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        optimizerD = Adam(discriminator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", generator), ("discriminator", discriminator)] }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("discriminator", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    /// Labelled pixels in [-1, 1], one batch per packed sample.
    public var data: DataRequirement {
        DataRequirement(batchesPerStep: config.pack, range: -1...1, needsLabels: true, minimumBatchSize: 2)
    }
    public var classCount: Int { config.classes }


    /// The generator's images (in [-1, 1]) for noise `[B, noise]` and classes.
    func generate(_ z: Tensor, labels: [Int]) -> Tensor {
        generator(Tensor.concat([z, Tensor.oneHot(labels, classes: config.classes)], axis: 1))
    }

    /// Images `[B, C, H, W]` with their classes' label maps stacked on: the discriminator's input
    /// for one sample each.
    func labelled(_ x: Tensor, labels: [Int]) -> Tensor {
        let maps = Tensor.oneHot(labels, classes: config.classes).reshaped([labels.count, config.classes, 1, 1])
            .expanded(to: [labels.count, config.classes, x.shape[2], x.shape[3]])
        return Tensor.concat([x, maps], axis: 1)
    }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let real = Packing.pack(input.batches.map { labelled($0.images, labels: $0.labels.scalars.map { Int($0) }) })
        let n = real.shape[0], m = config.pack
        let fakeLabels = context.shard.draw(n, blocks: m) { noise.nextIndex(below: config.classes) }
        let z = context.shard.draw(n, blocks: m) { Tensor.randn([$0, config.noise], generator: noise) }
        let fake = Packing.pack(labelled(generate(z, labels: fakeLabels), labels: fakeLabels), into: m)

        let dReal = discriminator(real), dFake = discriminator(fake.detached())
        let lossD = AdversarialLoss.discriminator(real: dReal, fake: dFake)
        context.updater.minimize(lossD, with: optimizerD)
        let lossG = context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
            AdversarialLoss.generator(discriminator(fake))
        }
        return ["loss_d": lossD.item, "loss_g": lossG.item,
                "d_real": dReal.sigmoid().mean().item, "d_fake": dFake.sigmoid().mean().item]
    }

    /// Images of classes `labels`, in [0, 1], with the generator in evaluation mode.
    public func sample(labels: [Int], generator rng: RandomGenerator) -> Tensor {
        generateImages(generator, count: labels.count) { range in
            Tensor.concat([Tensor.randn([range.count, config.noise], generator: rng),
                           Tensor.oneHot(labels[range], classes: config.classes)], axis: 1)
        }
    }

    public func sample(count: Int, class label: Int, generator rng: RandomGenerator) -> Tensor {
        sample(labels: Array(repeating: label, count: count), generator: rng)
    }

    /// Every class in turn, so that `count` samples are as balanced as the classes can be.
    public func sample(count: Int, generator rng: RandomGenerator) -> Tensor {
        sample(labels: (0..<count).map { $0 % config.classes }, generator: rng)
    }

    /// One class per row, ten samples each.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let columns = 10
        let labels = (0..<config.classes).flatMap { Array(repeating: $0, count: columns) }
        return [Sheet(name: "samples", images: sample(labels: labels, generator: rng), columns: columns)]
    }
}
