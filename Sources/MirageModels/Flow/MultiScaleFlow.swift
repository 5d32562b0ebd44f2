import Foundation
import MirageEval
import MirageNN
import MirageTensor

/// One step of Glow's flow: ``ActNorm``, ``InvertibleConv1x1``, ``ConvAffineCoupling``.
public final class FlowStep: Module, FlowLayer {
    public let actnorm: ActNorm
    public let invconv: InvertibleConv1x1
    public let coupling: ConvAffineCoupling

    public init(_ channels: Int, hidden: Int, generator g: RandomGenerator) {
        actnorm = ActNorm(channels)
        invconv = InvertibleConv1x1(channels, generator: g)
        coupling = ConvAffineCoupling(channels, hidden: hidden, generator: g)
    }

    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        let a = actnorm(x), b = invconv(a.y), c = coupling(b.y)
        return (c.y, a.logDeterminant + b.logDeterminant + c.logDeterminant)
    }

    public func inverse(_ y: Tensor) -> Tensor {
        actnorm.inverse(invconv.inverse(coupling.inverse(y)))
    }
}

/// The steps of one scale of a ``MultiScaleFlow``.
public final class FlowLevel: Module {
    public let steps: [FlowStep]

    public init(_ steps: [FlowStep]) { self.steps = steps }
}

/// A diagonal Gaussian whose mean and log standard deviation come from a zero-started 3×3
/// convolution of a conditioning map: Glow's learned prior for the half of the channels a
/// level factors out, given the half it keeps. It starts as the standard normal.
public final class ConditionalGaussianPrior: Module {
    public let conv: Conv2d
    public let channels: Int

    public init(condition: Int, channels: Int, generator g: RandomGenerator) {
        self.channels = channels
        conv = Conv2d(condition, 2 * channels, kernelSize: 3, padding: 1, generator: g)
        conv.weight = Tensor.zeros(conv.weight.shape)
        conv.bias = Tensor.zeros([2 * channels])
    }

    func distribution(given h: Tensor) -> (mean: Tensor, logStd: Tensor) {
        let p = conv(h).split(sizes: [channels, channels], axis: 1)
        return (p[0], p[1])
    }

    /// log N(z; μ(h), σ(h)²) per example, summed over all of z's entries.
    public func logProbability(_ z: Tensor, given h: Tensor) -> Tensor {
        let (mean, logStd) = distribution(given: h)
        return FlowLikelihood.gaussianLogDensity(z, mean: mean, logStd: logStd)
    }

    /// A draw with the standard deviation scaled by `temperature`.
    public func sample(given h: Tensor, temperature: Float, generator g: RandomGenerator) -> Tensor {
        let (mean, logStd) = distribution(given: h)
        return mean + logStd.exp() * Tensor.randn(mean.shape, generator: g) * temperature
    }
}

/// The multi-scale architecture of RealNVP and Glow: at each level the image is squeezed (2×2
/// blocks to channels), passes through the level's steps, and all but the last level factor
/// out half of their channels as latents, modelled by a ``ConditionalGaussianPrior`` on the half
/// they keep. The last level's output has a learned diagonal Gaussian prior (mean and log
/// standard deviation per entry, starting at the standard normal). For 1×28×28 images and two
/// levels: 4×14×14 (2 channels out), then 8×7×7.
///
/// ## Shape
/// images `(N, C, H, W)` with `H` and `W` divisible by `2^levels`.
///
/// - SeeAlso: <https://arxiv.org/abs/1605.08803> (RealNVP, section 3.6), <https://arxiv.org/abs/1807.03039> (Glow)
public final class MultiScaleFlow: Module {
    public let squeeze = Squeeze()
    /// The levels, each with its steps in data-to-latent order.
    public let levels: [FlowLevel]
    /// The priors of the latents factored out after each level but the last.
    public let priors: [ConditionalGaussianPrior]
    @Parameter public var topMean: Tensor
    @Parameter public var topLogStd: Tensor
    public let imageShape: [Int]

    /// - Parameters:
    ///   - imageShape: `[C, H, W]`.
    ///   - levels: Scales (squeezes); `H` and `W` must divide by `2^levels`.
    ///   - depth: Flow steps per level.
    ///   - hidden: Width of the couplings' networks.
    public init(imageShape: [Int], levels: Int, depth: Int, hidden: Int, generator g: RandomGenerator = .global) {
        precondition(imageShape.count == 3 && levels >= 1 && depth >= 1 && hidden >= 1
                     && imageShape[1] % (1 << levels) == 0 && imageShape[2] % (1 << levels) == 0,
                     "MultiScaleFlow: image \(imageShape) does not halve \(levels) times, or depth \(depth) / hidden \(hidden) is not positive")
        self.imageShape = imageShape
        var c = imageShape[0]
        var builtLevels: [FlowLevel] = [], builtPriors: [ConditionalGaussianPrior] = []
        for level in 0..<levels {
            c *= 4
            builtLevels.append(FlowLevel((0..<depth).map { _ in FlowStep(c, hidden: hidden, generator: g) }))
            if level < levels - 1 {
                builtPriors.append(ConditionalGaussianPrior(condition: c / 2, channels: c - c / 2, generator: g))
                c /= 2
            }
        }
        self.levels = builtLevels
        priors = builtPriors
        let side = (imageShape[1] >> levels, imageShape[2] >> levels)
        topMean = Tensor.zeros([1, c, side.0, side.1])
        topLogStd = Tensor.zeros([1, c, side.0, side.1])
    }

    /// The number of dimensions of an image.
    public var dimensions: Int { imageShape.reduce(1, *) }

    /// Maps images to their latents (one per level, data-to-latent order) and returns
    /// `log p(x) = Σ log p(z) + Σ log |det|` per example, in nats, for the density on `x`'s scale.
    public func encode(_ x: Tensor) -> (latents: [Tensor], logLikelihood: Tensor) {
        precondition(x.rank == 4 && Array(x.shape.dropFirst()) == imageShape,
                     "MultiScaleFlow: images have shape \(x.shape), expected (N, \(imageShape.map(String.init).joined(separator: ", ")))")
        var h = x, latents: [Tensor] = []
        var total = Tensor.zeros([x.shape[0]])
        for (level, scale) in levels.enumerated() {
            h = squeeze(h).y
            for step in scale.steps {
                let (y, logDet) = step(h)
                h = y
                total = total + logDet
            }
            if level < priors.count {
                let kept = h.shape[1] / 2
                let halves = h.split(sizes: [kept, h.shape[1] - kept], axis: 1)
                total = total + priors[level].logProbability(halves[1], given: halves[0])
                latents.append(halves[1])
                h = halves[0]
            }
        }
        latents.append(h)
        total = total + FlowLikelihood.gaussianLogDensity(h, mean: topMean.expanded(to: h.shape), logStd: topLogStd.expanded(to: h.shape))
        return (latents, total)
    }

    /// Runs the flow backwards from the top latent; the factored-out latents come from
    /// `latents` where given, else are drawn from their priors at `temperature`.
    func decode(top: Tensor, latents given: [Tensor]?, temperature: Float, generator g: RandomGenerator) -> Tensor {
        var h = top
        for level in stride(from: levels.count - 1, through: 0, by: -1) {
            if level < priors.count {
                let z = given?[level] ?? priors[level].sample(given: h, temperature: temperature, generator: g)
                h = Tensor.concat([h, z], axis: 1)
            }
            for step in levels[level].steps.reversed() { h = step.inverse(h) }
            h = squeeze.inverse(h)
        }
        return h
    }

    /// Images from latents as ``encode(_:)`` returns them.
    public func decode(_ latents: [Tensor]) -> Tensor {
        decode(top: latents.last!, latents: Array(latents.dropLast()), temperature: 1, generator: .global)
    }

    /// `count` images drawn with every prior's standard deviation scaled by `temperature`
    /// (Glow samples at 0.7: less diverse, cleaner).
    public func sample(count: Int, temperature: Float, generator g: RandomGenerator) -> Tensor {
        let shape = [count] + Array(topMean.shape.dropFirst())
        let top = topMean.expanded(to: shape) + topLogStd.exp().expanded(to: shape) * Tensor.randn(shape, generator: g) * temperature
        return decode(top: top, latents: nil, temperature: temperature, generator: g)
    }
}
