import Foundation
import MirageNN
import MirageTensor

/// CycleGAN (Zhu et al., 2017): translation between two domains without paired examples. Two
/// generators, G: A → B and F: B → A, and two PatchGAN discriminators, D_B on B's images and D_A on
/// A's. Each generator is trained to fool its discriminator (least-squares GAN loss) while the two
/// undo each other: F(G(a)) ≈ a and G(F(b)) ≈ b (the cycle-consistency loss, λ = 10 for each
/// direction unless ``Config/cycleWeightB`` sets the second apart), which is what keeps "a 7 in A"
/// a 7 in B when nothing pairs them. An identity loss (0.5·λ·|G(b) − b|₁ and
/// the same for F) keeps colours when the domains share channels; between a gray and an RGB domain
/// it cannot apply and is left out.
///
/// A step on a batch a of A and an independently shuffled batch b of B (in [-1, 1]): the
/// generators on the GAN, cycle and identity losses; then each discriminator on ½·((D(real) − 1)² +
/// D(fake)²), its fakes drawn through a 50-image history pool (``ImagePool``, checkpointed). Adam
/// 2e-4 (0.5, 0.999) with the rate held for the first half of the run and decayed linearly to zero
/// over the second. Generators: U-Nets below 64 pixels, else ResNets (9 blocks at 256 pixels),
/// instance norm, no dropout.
///
/// ```swift
/// var config = CycleGAN.Config()
/// config.channelsB = 3                            // mnist ↔ mnist-colored
/// let cyclegan = CycleGAN(config)
/// let colored = cyclegan.translate(digits, direction: .aToB)
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1703.10593>
public final class CycleGAN: GenerativeModel, TranslationModel {
    /// The generators' architecture.
    public enum Generator: String, Codable, Sendable, CaseIterable {
        case unet, resnet
    }

    public struct Config: Codable, Equatable, Sendable {
        /// `[C, H, W]` of domain A's images.
        public var imageShape = [1, 28, 28]
        /// Channels of domain B's images (same size as A's).
        public var channelsB = 1
        public var generator = Generator.unet
        /// Residual blocks of a ResNet generator.
        public var residualBlocks = 6
        public var network = TranslationNetworkConfig()
        /// λ, the weight of each direction's cycle-consistency loss (of A → B → A's alone where
        /// ``cycleWeightB`` is set).
        public var cycleWeight: Float = 10
        /// The weight of the B → A → B cycle loss alone, where it differs from ``cycleWeight``
        /// (the reference code's `lambda_B`); nil: λ.
        public var cycleWeightB: Float?
        /// The identity loss's weight relative to the λ of the domain each generator is fed (0
        /// turns it off).
        public var identityWeight: Float = 0.5
        /// Images in each history pool (0: none).
        public var poolSize = 50
        public var seed: UInt64 = 0
        public init() {}

        /// `[C, H, W]` of domain B's images.
        public var imageShapeB: [Int] { [channelsB] + imageShape.dropFirst() }
        /// Whether the identity loss applies: it needs a weight and domains with one channel count.
        public var usesIdentityLoss: Bool { identityWeight > 0 && imageShape[0] == channelsB }
        /// The B → A → B cycle loss's weight: ``cycleWeightB``, else λ.
        var resolvedCycleWeightB: Float { cycleWeightB ?? cycleWeight }
    }

    public let config: Config
    /// G: A → B.
    public let generatorAB: any Layer
    /// F: B → A.
    public let generatorBA: any Layer
    /// D_A: judges domain A's images.
    public let discriminatorA: PatchGANDiscriminator
    /// D_B: judges domain B's images.
    public let discriminatorB: PatchGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// Draws the history pools' choices.
    let poolNoise: RandomGenerator
    /// Fake A images (F's) shown to D_A, and fake B images (G's) shown to D_B.
    public let poolA: ImagePool
    public let poolB: ImagePool

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        let n = config.network, (h, w) = (config.imageShape[1], config.imageShape[2])
        func generator(_ from: Int, _ to: Int) -> any Layer {
            switch config.generator {
            case .unet:
                return UNetGenerator(inputChannels: from, outputChannels: to, height: h, width: w, filters: n.filters,
                                     norm: .instance, dropout: 0, generator: g)
            case .resnet:
                return ResNetGenerator(inputChannels: from, outputChannels: to, filters: n.filters, blocks: config.residualBlocks,
                                       norm: .instance, generator: g)
            }
        }
        generatorAB = generator(config.imageShape[0], config.channelsB)
        generatorBA = generator(config.channelsB, config.imageShape[0])
        discriminatorA = PatchGANDiscriminator(inputChannels: config.imageShape[0], filters: n.discriminatorFilters,
                                               layers: n.discriminatorLayers, norm: .instance, generator: g)
        discriminatorB = PatchGANDiscriminator(inputChannels: config.channelsB, filters: n.discriminatorFilters,
                                               layers: n.discriminatorLayers, norm: .instance, generator: g)
        for net in [generatorAB, generatorBA, discriminatorA, discriminatorB] as [Module] { dcganInitialize(net, generator: g) }
        let betas = (n.beta1, n.beta2)
        optimizerG = Adam(generatorAB.trainableParameters() + generatorBA.trainableParameters(), learningRate: n.learningRate, betas: betas)
        optimizerD = Adam(discriminatorA.trainableParameters() + discriminatorB.trainableParameters(), learningRate: n.learningRate, betas: betas)
        poolNoise = RandomGenerator(seed: config.seed &+ 1)
        poolA = ImagePool(capacity: config.poolSize, imageShape: config.imageShape, generator: poolNoise)
        poolB = ImagePool(capacity: config.poolSize, imageShape: config.imageShapeB, generator: poolNoise)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] {
        [("generator_ab", generatorAB), ("generator_ba", generatorBA), ("discriminator_a", discriminatorA), ("discriminator_b", discriminatorB)]
    }
    public var optimizers: [(String, Optimizer)] { [("generators", optimizerG), ("discriminators", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("pool", poolNoise)] }
    public var data: DataRequirement {
        DataRequirement(shape: .unpairedDomains, range: -1...1, cropPadding: config.network.jitter, horizontalFlip: config.network.flip)
    }
    public var directions: [TranslationDirection] { [.aToB, .bToA] }
    public func inputShape(_ direction: TranslationDirection) -> [Int] { direction == .aToB ? config.imageShape : config.imageShapeB }

    public var state: [String: Tensor] {
        poolA.stateTensors(prefix: "pool_a").merging(poolB.stateTensors(prefix: "pool_b")) { a, _ in a }
    }

    public func restoreState(_ state: [String: Tensor]) throws {
        try poolA.restore(state, prefix: "pool_a")
        try poolB.restore(state, prefix: "pool_b")
    }

    /// The least-squares GAN loss of patch outputs against a target of 1 (real) or 0 (fake).
    private func leastSquares(_ output: Tensor, _ target: Float) -> Tensor {
        mseLoss(output, Tensor.full(output.shape, target))
    }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let rate = ConstantThenLinearDecay(baseLearningRate: config.network.learningRate, totalSteps: context.totalSteps,
                                           decaySteps: max(1, context.totalSteps / 2))(context.step)
        optimizerG.learningRate = rate
        optimizerD.learningRate = rate
        let a = input.batches[0].images, b = input.batchesB[0].images

        // The generators, judged by discriminators that this step does not train.
        let fakeB = generatorAB(a), fakeA = generatorBA(b)
        let cycleA = l1Loss(generatorBA(fakeB), a), cycleB = l1Loss(generatorAB(fakeA), b)
        var ganAB = Tensor(0), ganBA = Tensor(0)
        var identity: Float?
        context.updater.minimize(with: optimizerG, judgedBy: [discriminatorA, discriminatorB]) {
            ganAB = leastSquares(discriminatorB(fakeB), 1)
            ganBA = leastSquares(discriminatorA(fakeA), 1)
            let (lambdaA, lambdaB) = (config.cycleWeight, config.resolvedCycleWeightB)
            var lossG = ganAB + ganBA + lambdaA * cycleA + lambdaB * cycleB
            if config.usesIdentityLoss {
                // As the reference code: each generator's identity term is weighted by the λ of the
                // domain it is fed (G: A → B sees b, so λ_B).
                let idtA = l1Loss(generatorBA(a), a), idtB = l1Loss(generatorAB(b), b)
                lossG = lossG + config.identityWeight * (lambdaA * idtA + lambdaB * idtB)
                identity = (idtA + idtB).item
            }
            return lossG
        }

        // The discriminators, on real images and on fakes from the history pools.
        let shownB = poolB.query(fakeB.detached(), shard: context.shard), shownA = poolA.query(fakeA.detached(), shard: context.shard)
        let lossDA = 0.5 * (leastSquares(discriminatorA(a), 1) + leastSquares(discriminatorA(shownA), 0))
        let lossDB = 0.5 * (leastSquares(discriminatorB(b), 1) + leastSquares(discriminatorB(shownB), 0))
        context.updater.minimize(lossDA + lossDB, with: optimizerD)

        var losses = ["loss_g_ab": ganAB.item, "loss_g_ba": ganBA.item, "loss_cycle_a": cycleA.item, "loss_cycle_b": cycleB.item,
                      "loss_d_a": lossDA.item, "loss_d_b": lossDB.item, "lr": rate]
        if let identity { losses["loss_identity"] = identity }
        return losses
    }

    public func translate(_ images: Tensor, direction: TranslationDirection) -> Tensor {
        precondition(Array(images.shape.dropFirst()) == inputShape(direction),
                     "CycleGAN.translate: \(direction.rawValue) takes images of \(inputShape(direction)), got \(images.shape)")
        return translateImages(direction == .aToB ? generatorAB : generatorBA, images)
    }

    /// A | A→B | A→B→A (the main sheet) and B | B→A | B→A→B for up to 16 test images each.
    public func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] {
        func sheet(_ images: Tensor, _ direction: TranslationDirection) -> Sheet {
            let x = toUnitRange(images.sliced(axis: 0, 0..<min(16, images.shape[0])), from: -1...1)
            let there = translate(x, direction: direction)
            return Sheet(name: direction.rawValue, sideBySide([x, there, translate(there, direction: direction.reversed)], perRow: 2))
        }
        return [sheet(fixed.batches[0].images, .aToB), sheet(fixed.batchesB[0].images, .bToA)]
    }
}
