import Foundation
import MirageNN
import MirageTensor

/// RealNVP (Dinh, Sohl-Dickstein & Bengio, 2017): a multi-scale flow of affine couplings on the
/// logit of dequantised pixels, trained by exact maximum likelihood (see ``FlowModel``).
///
/// Each of the `scales` levels runs three checkerboard couplings, squeezes (2×2 pixels to
/// channels), runs three channel-wise couplings and factors out half its channels; the last
/// level runs four checkerboard couplings. Masks alternate so every entry is transformed. Every
/// latent is standard normal. For 1×28×28 and two scales: 1×28×28 → 4×14×14 (2 channels out)
/// → 2×14×14 → 8×7×7 (4 out) → 4×7×7.
///
/// ```swift
/// let model = RealNVP(RealNVP.Config())
/// let images = model.sample(count: 16, generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1605.08803> (sections 3.4–3.6, 4.1)
public final class RealNVP: FlowModel {
    public struct Config: FlowConfiguration, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// Squeezing levels before the final checkerboard level.
        public var scales = 2
        /// Channels of each coupling's residual network.
        public var hidden = 32
        /// Residual blocks in each coupling's network.
        public var blocks = 1
        /// The logit transform's margin: pixels are mapped into `[α, 1 − α]` first.
        public var alpha: Float = 0.05
        public var learningRate: Float = 1e-3
        /// Steps over which the learning rate rises linearly from 0.
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
        super.init(kind: RealNVPKind.name, config: config, input: .logit(alpha: config.alpha)) { RealNVP.makeFlow(config) }
    }

    static func makeFlow(_ config: Config) -> MultiScaleFlow {
        let g = RandomGenerator(seed: config.seed)
        return MultiScaleFlow(imageShape: config.imageShape, levelCount: config.scales + 1, learnedPriors: false, generator: g) { index, shape in
            func couplings(_ count: Int, _ shape: [Int], _ mask: (Int) -> RealNVPCoupling.Mask) -> [any FlowLayer] {
                (0..<count).map {
                    RealNVPCoupling(channels: shape[0], height: shape[1], width: shape[2], mask: mask($0 % 2), hidden: config.hidden, blocks: config.blocks, generator: g)
                }
            }
            guard index < config.scales else { return FlowLevel(beforeSqueeze: couplings(4, shape) { .checkerboard(parity: $0) }, squeezes: false, steps: []) }
            let checkerboard = couplings(3, shape) { .checkerboard(parity: $0) }
            return FlowLevel(beforeSqueeze: checkerboard, squeezes: true, steps: couplings(3, [4 * shape[0], shape[1] / 2, shape[2] / 2]) { .channels(parity: $0) })
        }
    }
}
