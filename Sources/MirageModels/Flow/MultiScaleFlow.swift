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

/// One scale of a ``MultiScaleFlow``: layers on the level's input, an optional squeeze (2×2
/// pixels to channels), then layers on the squeezed image. Glow's levels squeeze first and then
/// run their ``FlowStep``s; RealNVP's run checkerboard couplings, squeeze, then run channel-wise
/// couplings, and its last level only runs checkerboard couplings.
public final class FlowLevel: Module {
    /// Layers before the squeeze (RealNVP's checkerboard couplings; none in Glow).
    public let beforeSqueeze: [any FlowLayer]
    public let squeezes: Bool
    /// Layers after the squeeze (Glow's steps, RealNVP's channel-wise couplings).
    public let steps: [any FlowLayer]

    public init(beforeSqueeze: [any FlowLayer] = [], squeezes: Bool = true, steps: [any FlowLayer]) {
        self.beforeSqueeze = beforeSqueeze
        self.squeezes = squeezes
        self.steps = steps
    }
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

/// The multi-scale architecture of RealNVP and Glow: the image passes through a series of
/// ``FlowLevel``s, and every level but the last factors out half of its channels as latents.
/// With learned priors (Glow) a factored-out half has a ``ConditionalGaussianPrior`` on the half
/// that is kept, and the last level's output a learned diagonal Gaussian (mean and log standard
/// deviation per entry, starting at the standard normal); without them (RealNVP) every latent is
/// standard normal. For Glow's two levels on 1×28×28: 4×14×14 (2 channels out), then 8×7×7.
///
/// ## Shape
/// images `(N, C, H, W)` with `H` and `W` divisible by 2 for every squeezing level.
///
/// - SeeAlso: <https://arxiv.org/abs/1605.08803> (RealNVP, section 3.6), <https://arxiv.org/abs/1807.03039> (Glow)
public final class MultiScaleFlow: Module {
    public let squeeze = Squeeze()
    /// The levels, each with its layers in data-to-latent order.
    public let levels: [FlowLevel]
    /// The priors of the latents factored out after each level but the last (none when the
    /// priors are not learned).
    public let priors: [ConditionalGaussianPrior]
    @Parameter public var topMean: Tensor?
    @Parameter public var topLogStd: Tensor?
    public let imageShape: [Int]
    /// The shape `[C, H, W]` of each level's latent: the half it factors out, and for the last
    /// level its whole output.
    public let latentShapes: [[Int]]

    /// A flow of `levelCount` levels, each built by `level` from its index and its input's shape
    /// `[C, H, W]`, in data-to-latent order; a learned prior is built after each level it follows,
    /// so weights are drawn from `g` in that order.
    ///
    /// - Parameters:
    ///   - imageShape: `[C, H, W]`.
    ///   - levelCount: The number of scales; each squeezing level needs even sides.
    ///   - learnedPriors: Glow's learned priors, or (false) RealNVP's standard normal.
    ///   - g: Source of the learned priors' initial weights.
    ///   - makeLevel: Builds level `index` for an input of shape `inputShape` (`[C, H, W]`).
    public init(imageShape: [Int], levelCount: Int, learnedPriors: Bool, generator g: RandomGenerator = .global,
                level makeLevel: (_ index: Int, _ inputShape: [Int]) -> FlowLevel) {
        precondition(imageShape.count == 3 && levelCount >= 1, "MultiScaleFlow: needs an image shape [C, H, W] and at least one level, got \(imageShape), \(levelCount)")
        self.imageShape = imageShape
        var (c, h, w) = (imageShape[0], imageShape[1], imageShape[2])
        var builtLevels: [FlowLevel] = [], builtPriors: [ConditionalGaussianPrior] = [], shapes: [[Int]] = []
        for index in 0..<levelCount {
            let level = makeLevel(index, [c, h, w])
            builtLevels.append(level)
            if level.squeezes {
                precondition(h % 2 == 0 && w % 2 == 0, "MultiScaleFlow: level \(index) squeezes a \(h)×\(w) image; its sides must be even")
                (c, h, w) = (4 * c, h / 2, w / 2)
            }
            if index < levelCount - 1 {
                precondition(c >= 2, "MultiScaleFlow: level \(index) has \(c) channel(s), too few to factor half out")
                if learnedPriors { builtPriors.append(ConditionalGaussianPrior(condition: c / 2, channels: c - c / 2, generator: g)) }
                shapes.append([c - c / 2, h, w])
                c /= 2
            }
        }
        levels = builtLevels
        priors = builtPriors
        latentShapes = shapes + [[c, h, w]]
        topMean = learnedPriors ? Tensor.zeros([1, c, h, w]) : nil
        topLogStd = learnedPriors ? Tensor.zeros([1, c, h, w]) : nil
    }

    /// Glow's flow: `levels` levels that each squeeze and run `depth` ``FlowStep``s.
    ///
    /// - Parameters:
    ///   - imageShape: `[C, H, W]`.
    ///   - levels: Scales (squeezes); `H` and `W` must divide by `2^levels`.
    ///   - depth: Flow steps per level.
    ///   - hidden: Width of the couplings' networks.
    ///   - g: Source of the initial weights.
    public convenience init(imageShape: [Int], levels: Int, depth: Int, hidden: Int, generator g: RandomGenerator = .global) {
        precondition(imageShape.count == 3 && levels >= 1 && depth >= 1 && hidden >= 1
                     && imageShape[1] % (1 << levels) == 0 && imageShape[2] % (1 << levels) == 0,
                     "MultiScaleFlow: image \(imageShape) does not halve \(levels) times, or depth \(depth) / hidden \(hidden) is not positive")
        self.init(imageShape: imageShape, levelCount: levels, learnedPriors: true, generator: g) { _, shape in
            FlowLevel(steps: (0..<depth).map { _ in FlowStep(4 * shape[0], hidden: hidden, generator: g) })
        }
    }

    /// The number of dimensions of an image.
    public var dimensions: Int { imageShape.reduce(1, *) }

    /// log p of a factored-out latent: its learned prior given the kept half, or the standard normal.
    func logPrior(level: Int, _ z: Tensor, given kept: Tensor) -> Tensor {
        level < priors.count ? priors[level].logProbability(z, given: kept) : FlowLikelihood.standardNormalLogDensity(z)
    }

    /// Maps images to their latents (one per level, data-to-latent order) and returns
    /// `log p(x) = Σ log p(z) + Σ log |det|` per example, in nats, for the density on `x`'s scale.
    public func encode(_ x: Tensor) -> (latents: [Tensor], logLikelihood: Tensor) {
        precondition(x.rank == 4 && Array(x.shape.dropFirst()) == imageShape,
                     "MultiScaleFlow: images have shape \(x.shape), expected (N, \(imageShape.map(String.init).joined(separator: ", ")))")
        var h = x, latents: [Tensor] = []
        var total = Tensor.zeros([x.shape[0]])
        for (index, level) in levels.enumerated() {
            for layer in level.beforeSqueeze {
                let (y, logDet) = layer(h)
                h = y
                total = total + logDet
            }
            if level.squeezes { h = squeeze(h).y }
            for layer in level.steps {
                let (y, logDet) = layer(h)
                h = y
                total = total + logDet
            }
            if index < levels.count - 1 {
                let kept = h.shape[1] / 2
                let halves = h.split(sizes: [kept, h.shape[1] - kept], axis: 1)
                total = total + logPrior(level: index, halves[1], given: halves[0])
                latents.append(halves[1])
                h = halves[0]
            }
        }
        latents.append(h)
        if let topMean, let topLogStd {
            total = total + FlowLikelihood.gaussianLogDensity(h, mean: topMean.expanded(to: h.shape), logStd: topLogStd.expanded(to: h.shape))
        } else {
            total = total + FlowLikelihood.standardNormalLogDensity(h)
        }
        return (latents, total)
    }

    /// Runs the flow backwards from the top latent; the factored-out latents come from
    /// `latents` where given, else are drawn from their priors at `temperature`.
    func decode(top: Tensor, latents given: [Tensor]?, temperature: Float, generator g: RandomGenerator) -> Tensor {
        var h = top
        for index in stride(from: levels.count - 1, through: 0, by: -1) {
            let level = levels[index]
            if index < levels.count - 1 {
                let z: Tensor
                if let given {
                    z = given[index]
                } else if index < priors.count {
                    z = priors[index].sample(given: h, temperature: temperature, generator: g)
                } else {
                    z = Tensor.randn([h.shape[0]] + latentShapes[index], generator: g) * temperature
                }
                h = Tensor.concat([h, z], axis: 1)
            }
            for layer in level.steps.reversed() { h = layer.inverse(h) }
            if level.squeezes { h = squeeze.inverse(h) }
            for layer in level.beforeSqueeze.reversed() { h = layer.inverse(h) }
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
        let shape = [count] + latentShapes.last!
        let noise = Tensor.randn(shape, generator: g)
        let top: Tensor
        if let topMean, let topLogStd {
            top = topMean.expanded(to: shape) + topLogStd.exp().expanded(to: shape) * noise * temperature
        } else {
            top = noise * temperature
        }
        return decode(top: top, latents: nil, temperature: temperature, generator: g)
    }
}
