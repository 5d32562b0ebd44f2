import Foundation
import MirageNN
import MirageTensor

/// pix2pix (Isola et al., 2017): paired image-to-image translation with a conditional GAN. A
/// U-Net generator maps an input image to an output; a PatchGAN discriminator judges (input,
/// output) pairs stacked on the channels, so it asks "is this a real output *for this input*".
/// The generator minimises the GAN loss plus λ·L1 to the true output (λ = 100): L1 gets the low
/// frequencies right, the discriminator the sharp detail L1 alone blurs.
///
/// A step on a batch of pairs (x, y) in [-1, 1]: the discriminator on ½·(BCE(D(x, y), 1) +
/// BCE(D(x, G(x)), 0)), then the generator on BCE(D(x, G(x)), 1) + λ·|G(x) − y|₁, each with Adam
/// 2e-4 (0.5, 0.999). The generator's dropout is its noise; translation (``translate(_:direction:)``)
/// runs it in evaluation mode, so the same input gives the same output.
///
/// ```swift
/// let edges2digits = Pix2Pix(Pix2Pix.Config())   // 1×28×28 → 1×28×28, a-to-b
/// let digits = edges2digits.translate(edges, direction: .aToB)
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1611.07004>
public final class Pix2Pix: GenerativeModel, TranslationModel {
    public struct Config: Codable, Equatable, Sendable {
        /// `[C, H, W]` of domain A's images.
        public var imageShape = [1, 28, 28]
        /// Channels of domain B's images (same size as A's).
        public var channelsB = 1
        /// A → B (translate A's images into B's) or B → A.
        public var direction = TranslationDirection.aToB
        public var network = TranslationNetworkConfig()
        /// λ, the weight of the L1 loss.
        public var l1Weight: Float = 100
        public var seed: UInt64 = 0
        public init() {}

        /// `[C, H, W]` of the images the generator takes.
        public var inputShape: [Int] { direction == .aToB ? imageShape : [channelsB] + imageShape.dropFirst() }
        /// Channels of the images it makes.
        public var outputChannels: Int { direction == .aToB ? channelsB : imageShape[0] }
    }

    public let config: Config
    public let generator: UNetGenerator
    public let discriminator: PatchGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// Draws the generator's dropout masks.
    let dropoutNoise: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        dropoutNoise = RandomGenerator(seed: config.seed &+ 1)
        let n = config.network, input = config.inputShape
        generator = UNetGenerator(inputChannels: input[0], outputChannels: config.outputChannels, height: input[1], width: input[2],
                                  filters: n.filters, norm: .batch, dropout: 0.5, dropoutGenerator: dropoutNoise, generator: g)
        discriminator = PatchGANDiscriminator(inputChannels: input[0] + config.outputChannels, filters: n.discriminatorFilters,
                                              layers: n.discriminatorLayers, norm: .batch, generator: g)
        dcganInitialize(generator, generator: g)
        dcganInitialize(discriminator, generator: g)
        let betas = (n.beta1, n.beta2)
        optimizerG = Adam(generator.trainableParameters(), learningRate: n.learningRate, betas: betas)
        optimizerD = Adam(discriminator.trainableParameters(), learningRate: n.learningRate, betas: betas)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", generator), ("discriminator", discriminator)] }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("discriminator", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("dropout", dropoutNoise)] }
    public var data: DataRequirement {
        DataRequirement(shape: .pairs, range: -1...1, cropPadding: config.network.jitter, horizontalFlip: config.network.flip)
    }
    public var directions: [TranslationDirection] { [config.direction] }
    public func inputShape(_ direction: TranslationDirection) -> [Int] { config.inputShape }

    /// The batch's (input, target) in the trained direction.
    func sourceAndTarget(_ input: StepInput) -> (Tensor, Tensor) {
        let (a, b) = input.pair()
        return config.direction == .aToB ? (a, b) : (b, a)
    }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let (x, y) = sourceAndTarget(input)
        let fake = generator(x)
        let dReal = discriminator(Tensor.concat([x, y], axis: 1))
        let dFake = discriminator(Tensor.concat([x, fake.detached()], axis: 1))
        // Halved, as the paper does, to slow the discriminator relative to the generator.
        let lossD = 0.5 * AdversarialLoss.discriminator(real: dReal, fake: dFake)
        context.updater.minimize(lossD, with: optimizerD)
        var lossGAN = Tensor(0), lossL1 = Tensor(0)
        context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
            lossGAN = AdversarialLoss.generator(discriminator(Tensor.concat([x, fake], axis: 1)))
            lossL1 = l1Loss(fake, y)
            return lossGAN + config.l1Weight * lossL1
        }
        return ["loss_d": lossD.item, "loss_g_gan": lossGAN.item, "loss_g_l1": lossL1.item,
                "d_real": dReal.sigmoid().mean().item, "d_fake": dFake.sigmoid().mean().item]
    }

    public func translate(_ images: Tensor, direction: TranslationDirection) -> Tensor {
        precondition(direction == config.direction && Array(images.shape.dropFirst()) == config.inputShape,
                     "Pix2Pix.translate: translates \(config.direction.rawValue) images of \(config.inputShape), got \(direction.rawValue) \(images.shape)")
        return translateImages(generator, images)
    }

    /// Input | output | target for up to 16 test pairs, two pairs a row.
    public func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] {
        let (x, y) = sourceAndTarget(fixed)
        let n = min(16, x.shape[0])
        let inputs = toUnitRange(x.sliced(axis: 0, 0..<n), from: -1...1)
        let outputs = translate(inputs, direction: config.direction)
        return [Sheet(name: "translations", sideBySide([inputs, outputs, toUnitRange(y.sliced(axis: 0, 0..<n), from: -1...1)], perRow: 2))]
    }
}
