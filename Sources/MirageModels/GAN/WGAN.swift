import Foundation
import MirageNN
import MirageTensor

/// A Wasserstein GAN: a critic trained to estimate the earth mover's distance W₁ between the data
/// and the generator, `E[D(real)] − E[D(fake)]` over 1-Lipschitz critics, and a generator trained
/// to shrink it. The Lipschitz constraint is enforced either by clipping every critic weight to
/// [−c, c] after each update (Arjovsky et al., 2017: RMSprop 5e-5, c = 0.01) or by a gradient
/// penalty λ·(‖∇D(x̂)‖₂ − 1)² on random interpolates (Gulrajani et al., 2017: Adam 1e-4 with
/// betas (0, 0.9), λ = 10, no batch norm in the critic).
///
/// One step is one generator update, after `criticSteps` critic updates on fresh batches. The
/// logged `w_distance` is the critic's estimate of W₁ on the last critic batch: unlike the JS-based
/// GAN loss it does not saturate, which is the paper's claim that it tracks sample quality.
///
/// With ``Config/pack`` m > 1 the critic judges packs of m samples, as PacGAN's discriminator
/// does (see ``Packing``): each critic update then takes m batches.
///
/// ```swift
/// let wgan = WGAN(WGAN.Config(constraint: .gradientPenalty(weight: 10)))
/// let losses = wgan.trainStep(input, context: context)   // ["loss_d", "loss_g", "w_distance", "penalty"]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1701.07875>, <https://arxiv.org/abs/1704.00028>
public final class WGAN: GenerativeModel, NoiseToImageModel, LatentDecoding {
    /// How the critic is kept (near) 1-Lipschitz.
    public enum Constraint: Codable, Equatable, Sendable {
        /// Every critic weight clipped to [−c, c] after each critic update.
        case weightClipping(bound: Float)
        /// λ·(‖∇D(x̂)‖₂ − 1)², the norm per sample over all its pixels and channels.
        case gradientPenalty(weight: Float)
    }

    public struct Config: Codable, Equatable, Sendable {
        public var architecture = GAN.Architecture.dcgan
        /// `[C, H, W]` of an image, or `[2]` for points.
        public var imageShape = [1, 28, 28]
        public var noise = 100
        public var constraint = Constraint.gradientPenalty(weight: 10)
        public var criticSteps = 5
        /// RMSprop's for weight clipping, Adam's (betas 0, 0.9) for the gradient penalty.
        public var learningRate: Float = 1e-4
        /// Samples per critic input (PacGAN's m; 1 for a plain WGAN).
        public var pack = 1
        public var seed: UInt64 = 0
        public init(constraint: Constraint = .gradientPenalty(weight: 10)) {
            self.constraint = constraint
            if case .weightClipping = constraint { learningRate = 5e-5 }
        }
    }

    public let config: Config
    public let generator: any Layer
    public let critic: any Layer
    let optimizerG: Optimizer
    let optimizerD: Optimizer
    /// Draws the generator's noise and the penalty's interpolation weights.
    let noise: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        // Batch norm makes a critic's output for one image depend on the rest of the batch, which
        // the per-sample gradient penalty assumes it does not: the penalised critic has none.
        let batchNorm: Bool
        if case .weightClipping = config.constraint { batchNorm = true } else { batchNorm = false }
        (generator, critic) = adversarialNetworks(config.architecture, sample: config.imageShape, noise: config.noise, pack: config.pack,
                                                  discriminatorBatchNorm: batchNorm, generator: RandomGenerator(seed: config.seed))
        switch config.constraint {
        case .weightClipping:
            optimizerG = RMSprop(generator.trainableParameters(), learningRate: config.learningRate)
            optimizerD = RMSprop(critic.trainableParameters(), learningRate: config.learningRate)
        case .gradientPenalty:
            optimizerG = Adam(generator.trainableParameters(), learningRate: config.learningRate, betas: (0, 0.9))
            optimizerD = Adam(critic.trainableParameters(), learningRate: config.learningRate, betas: (0, 0.9))
        }
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", generator), ("critic", critic)] }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("critic", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    public var noiseSize: Int { config.noise }
    public var generatesPoints: Bool { config.architecture == .points }

    /// `criticSteps · pack` batches a step, pixels in [-1, 1] or 2-D points; batch norm (the
    /// clipped DCGAN critic, the DCGAN and point generators) needs two samples a batch.
    public var data: DataRequirement {
        DataRequirement(shape: config.architecture == .points ? .points : .images, batchesPerStep: config.criticSteps * config.pack,
                        range: -1...1, minimumBatchSize: config.architecture == .mlp ? 1 : 2)
    }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        var lossD: Float = 0, distance: Float = 0, penaltyValue: Float = 0
        let m = config.pack
        for first in stride(from: 0, to: input.batches.count, by: m) {
            let real = Packing.pack(input.batches[first..<(first + m)].map(\.images))
            let fake = withNoGrad {
                Packing.pack(generator(context.shard.draw(real.shape[0], blocks: m) { Tensor.randn([$0, config.noise], generator: noise) }),
                             into: m)
            }
            let dReal = critic(real).mean(), dFake = critic(fake).mean()
            var loss = dFake - dReal
            if case let .gradientPenalty(weight) = config.constraint {
                let epsilon = context.shard.draw(real.shape[0]) {
                    Tensor.rand([$0] + Array(repeating: 1, count: real.rank - 1), generator: noise)
                }
                let penalty = GradientPenalty.penalty(critic: critic, real: real, fake: fake, epsilon: epsilon)
                loss = loss + penalty * weight
                penaltyValue = penalty.item
            }
            context.updater.minimize(loss, with: optimizerD)
            if case let .weightClipping(bound) = config.constraint { clipWeights(critic.trainableParameters(), to: bound) }
            lossD = loss.item
            distance = dReal.item - dFake.item
        }
        // The generator's step, judged by the critic as it now stands.
        let n = input.images.shape[0]
        let lossG = context.updater.minimize(with: optimizerG, judgedBy: [critic]) {
            -critic(Packing.pack(generator(context.shard.draw(n, blocks: m) { Tensor.randn([$0, config.noise], generator: noise) }),
                                 into: m)).mean()
        }
        var losses = ["loss_d": lossD, "loss_g": lossG.item, "w_distance": distance]
        if case .gradientPenalty = config.constraint { losses["penalty"] = penaltyValue }
        return losses
    }
}
