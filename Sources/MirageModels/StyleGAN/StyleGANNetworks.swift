import Foundation
import MirageNN
import MirageTensor

/// StyleGAN's mapping network f: z, normalised to the sphere of radius √d, through fully
/// connected layers with leaky ReLU and the 0.01 learning-rate multiplier, to w. It keeps the
/// running average w̄ of the w it produces in training (decay 0.995), the centre that
/// truncation pulls towards.
public final class MappingNetwork: Module {
    public let layers: [EqualizedLinear]
    /// w̄, the running average of w.
    @Buffer public var wAverage: Tensor
    public let dimension: Int
    /// In data-parallel training, this process's share of the batch: w̄ follows the global
    /// batch's mean, the same on every process.
    public var shard = BatchShard.whole

    public init(dimension: Int, layers count: Int, generator: RandomGenerator) {
        self.dimension = dimension
        layers = (0..<count).map { _ in EqualizedLinear(dimension, dimension, multiplier: 0.01, generator: generator) }
        wAverage = Tensor.zeros([dimension])
    }

    /// w for latents z `(N, d)`; in training, w̄ moves towards the batch's mean w.
    public func callAsFunction(_ z: Tensor) -> Tensor {
        var x = z / ((z * z).mean(axes: [1], keepDims: true) + 1e-8).sqrt()
        for layer in layers { x = layer(x).styleActivation() }
        if isTraining {
            withNoGrad {
                let mean = shard.sum(x.sum(axes: [0])) * (1 / Float(x.shape[0] * shard.count))
                wAverage = mean * 0.005 + wAverage * 0.995
            }
        }
        return x
    }

    /// w pulled towards w̄: w̄ + ψ(w − w̄).
    public func truncated(_ w: Tensor, psi: Float) -> Tensor {
        psi == 1 ? w : wAverage + (w - wAverage) * psi
    }
}

/// Where a synthesis layer's per-pixel noise comes from.
public enum NoiseInputs {
    /// Fresh N(0, 1) noise, drawn for the global batch of which these images are `shard`'s rows.
    case random(RandomGenerator, BatchShard)
    /// No noise: the images the styles alone make.
    case zero
}

/// One layer of the synthesis network: a 3×3 modulated convolution (upsampling first in the
/// first layer of a resolution), per-pixel noise scaled by a learned strength per channel, a
/// bias and the activation.
public final class SynthesisLayer: Module {
    public let conv: ModulatedConv2d
    @Parameter public var noiseStrength: Tensor
    @Parameter public var bias: Tensor

    public init(_ inChannels: Int, _ outChannels: Int, wDimension: Int, upsample: Bool, generator: RandomGenerator) {
        conv = ModulatedConv2d(inChannels, outChannels, kernelSize: 3, wDimension: wDimension, upsample: upsample, generator: generator)
        noiseStrength = Tensor.zeros([1, outChannels, 1, 1])
        bias = Tensor.zeros([1, outChannels, 1, 1])
    }

    public func callAsFunction(_ x: Tensor, w: Tensor, noise: NoiseInputs) -> Tensor {
        var y = conv(x, w: w)
        if case let .random(g, shard) = noise {
            let (h, width) = (y.shape[2], y.shape[3])
            y = y + noiseStrength * shard.draw(y.shape[0]) { Tensor.randn([$0, 1, h, width], generator: g) }
        }
        return (y + bias).styleActivation()
    }
}

/// StyleGAN2's synthesis network (configuration E, without progressive growing): a learned 4×4
/// constant, one layer at 4×4 and two at each higher resolution, and at each resolution a toRGB
/// (a modulated 1×1 convolution without demodulation) whose output is added to the upsampled
/// image so far (the skip architecture).
///
/// Layer i reads style ``ws`` row i; the toRGB of a resolution reads the row after its last
/// layer's, so an image takes `2·log₂(side) − 2` rows of w: 8 at 32×32. Rows 0–3 style the 4×4
/// and 8×8 layers (the coarse styles), the rest the finer ones.
public final class SynthesisNetwork: Module {
    @Parameter public var constant: Tensor
    public let layers: [SynthesisLayer]
    public let toRgb: [ModulatedConv2d]
    @Parameter public var rgbBias: Tensor
    public let side: Int
    public let imageChannels: Int

    /// Channels at each resolution from 4×4: `base`, `base`, then halving, at least 16.
    public static func channels(side: Int, base: Int) -> [Int] {
        var result: [Int] = [], c = base, r = 4
        while r <= side {
            result.append(c)
            if r >= 8 { c = Swift.max(16, c / 2) }
            r *= 2
        }
        return result
    }

    public init(side: Int, imageChannels: Int, base: Int, wDimension: Int, generator: RandomGenerator) {
        let channels = Self.channels(side: side, base: base)
        self.side = side
        self.imageChannels = imageChannels
        constant = Tensor.randn([1, channels[0], 4, 4], generator: generator)
        var layers = [SynthesisLayer(channels[0], channels[0], wDimension: wDimension, upsample: false, generator: generator)]
        var toRgb = [ModulatedConv2d(channels[0], imageChannels, kernelSize: 1, wDimension: wDimension, demodulate: false, generator: generator)]
        for i in 1..<channels.count {
            layers.append(SynthesisLayer(channels[i - 1], channels[i], wDimension: wDimension, upsample: true, generator: generator))
            layers.append(SynthesisLayer(channels[i], channels[i], wDimension: wDimension, upsample: false, generator: generator))
            toRgb.append(ModulatedConv2d(channels[i], imageChannels, kernelSize: 1, wDimension: wDimension, demodulate: false, generator: generator))
        }
        self.layers = layers
        self.toRgb = toRgb
        rgbBias = Tensor.zeros([1, imageChannels, 1, 1])
    }

    /// Rows of w an image takes.
    public var wCount: Int { layers.count + 1 }
    /// The rows of w that style the 4×4 and 8×8 layers (the coarse styles).
    public var coarseRows: Range<Int> { 0..<Swift.min(4, wCount) }

    /// Images `(N, C, side, side)` in about [−1, 1] from styles `ws` `(N, wCount, d)`.
    public func callAsFunction(_ ws: Tensor, noise: NoiseInputs) -> Tensor {
        precondition(ws.rank == 3 && ws.shape[1] == wCount, "SynthesisNetwork: styles \(ws.shape), expected (N, \(wCount), d)")
        let n = ws.shape[0]
        func row(_ i: Int) -> Tensor { ws.sliced(axis: 1, i..<(i + 1)).reshaped([n, ws.shape[2]]) }
        var x = constant.expanded(to: [n] + Array(constant.shape.dropFirst()))
        x = layers[0](x, w: row(0), noise: noise)
        var image = toRgb[0](x, w: row(1))
        for r in 1..<toRgb.count {
            x = layers[2 * r - 1](x, w: row(2 * r - 1), noise: noise)
            x = layers[2 * r](x, w: row(2 * r), noise: noise)
            image = upsampleNearest2d(image, scale: (2, 2)) + toRgb[r](x, w: row(2 * r + 1))
        }
        return image + rgbBias
    }
}

/// The minibatch standard deviation layer (Karras et al., 2018): within groups of up to 4
/// samples, the standard deviation of every feature across the group, averaged into one number
/// per group and appended to each member as a constant channel, so that the discriminator sees
/// how varied a batch is and a collapsed generator is easy to tell apart.
public enum MinibatchStandardDeviation {
    /// The largest group size up to 4 that divides the batch.
    public static func groupSize(_ n: Int) -> Int { (1...Swift.min(4, n)).reversed().first { n % $0 == 0 }! }

    /// `(N, C, H, W)` → `(N, C + 1, H, W)`.
    public static func apply(_ x: Tensor) -> Tensor {
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let g = groupSize(n), m = n / g
        let y = x.reshaped([g, m, c, h, w])
        let centred = y - y.mean(axes: [0], keepDims: true)
        let std = ((centred * centred).mean(axes: [0]) + 1e-8).sqrt()   // (m, C, H, W)
        let perGroup = std.mean(axes: [1, 2, 3]).reshaped([1, m, 1, 1, 1])   // sample g·m + j is in group j
        let feature = perGroup.expanded(to: [g, m, 1, h, w]).reshaped([n, 1, h, w])
        return Tensor.concat([x, feature], axis: 1)
    }
}

/// StyleGAN2's residual discriminator: fromRGB at the top resolution, then per resolution two
/// 3×3 convolutions (the second followed by 2×2 average pooling) beside a pooled 1×1 skip, their
/// sum scaled by 1/√2; at 4×4 the minibatch standard deviation, a 3×3 convolution and two fully
/// connected layers to one logit.
public final class StyleDiscriminator: Module, Layer {
    public let fromRgb: EqualizedConv2d
    public let blocks: [ResidualBlock]
    public let conv: EqualizedConv2d
    public let fc: EqualizedLinear
    public let out: EqualizedLinear

    public final class ResidualBlock: Module {
        public let conv0: EqualizedConv2d, conv1: EqualizedConv2d, skip: EqualizedConv2d
        init(_ inChannels: Int, _ outChannels: Int, generator: RandomGenerator) {
            conv0 = EqualizedConv2d(inChannels, inChannels, kernelSize: 3, generator: generator)
            conv1 = EqualizedConv2d(inChannels, outChannels, kernelSize: 3, generator: generator)
            skip = EqualizedConv2d(inChannels, outChannels, kernelSize: 1, bias: false, generator: generator)
        }
        func callAsFunction(_ x: Tensor) -> Tensor {
            let main = avgPool2d(conv1(conv0(x).styleActivation()), kernelSize: (2, 2)).styleActivation()
            return (skip(avgPool2d(x, kernelSize: (2, 2))) + main) * Float(0.5.squareRoot())
        }
    }

    public init(side: Int, imageChannels: Int, base: Int, generator: RandomGenerator) {
        let channels = Array(SynthesisNetwork.channels(side: side, base: base).reversed())   // top resolution first
        fromRgb = EqualizedConv2d(imageChannels, channels[0], kernelSize: 1, generator: generator)
        blocks = (0..<(channels.count - 1)).map { ResidualBlock(channels[$0], channels[$0 + 1], generator: generator) }
        let c = channels.last!
        conv = EqualizedConv2d(c + 1, c, kernelSize: 3, generator: generator)
        fc = EqualizedLinear(c * 16, c, generator: generator)
        out = EqualizedLinear(c, 1, generator: generator)
    }

    /// One logit per image.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = fromRgb(x).styleActivation()
        for block in blocks { h = block(h) }
        h = conv(MinibatchStandardDeviation.apply(h)).styleActivation()
        return out(fc(h.flattened(startAxis: 1)).styleActivation()).reshaped([x.shape[0]])
    }
}
