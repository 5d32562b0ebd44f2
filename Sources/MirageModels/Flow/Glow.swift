import Foundation
import MirageNN
import MirageTensor

/// Glow (Kingma & Dhariwal, 2018): a ``MultiScaleFlow`` of actnorm, invertible 1×1 convolution
/// and affine coupling steps with learned priors, on centred dequantised pixels `x̃ − ½`,
/// trained by exact maximum likelihood (see ``FlowModel``).
///
/// ```swift
/// let glow = Glow(Glow.Config())
/// let images = glow.sample(count: 16, temperature: 0.7, generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1807.03039>
public final class Glow: FlowModel {
    public struct Config: FlowConfiguration, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// Scales of the multi-scale architecture.
        public var levels = 2
        /// Flow steps per level.
        public var depth = 8
        /// Width of each coupling's network.
        public var hidden = 128
        public var learningRate: Float = 1e-3
        /// Steps over which the learning rate rises linearly from 0 (actnorm's first statistics
        /// make the earliest updates large).
        public var warmupSteps = 200
        /// Gradients are clipped to this global norm.
        public var gradientClip: Float = 50
        /// The temperature of the default sampler.
        public var temperature: Float = 1
        /// The decay of the weights' moving average that samples and likelihoods use (0: none).
        public var emaDecay: Float = 0.999
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config

    public init(_ config: Config) {
        self.config = config
        super.init(kind: GlowKind.name, config: config, input: .centered) {
            MultiScaleFlow(imageShape: config.imageShape, levels: config.levels, depth: config.depth, hidden: config.hidden,
                           generator: RandomGenerator(seed: config.seed))
        }
    }
}
