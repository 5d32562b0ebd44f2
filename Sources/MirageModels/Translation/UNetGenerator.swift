import MirageNN
import MirageTensor

/// The U-Net generator of pix2pix (Isola et al., 2017): an encoder of stride-2 4×4 convolutions
/// down to (about) 1×1, a decoder of transposed convolutions back up, and a skip connection at
/// every level that hands the encoder's features to the decoder, so that the output can keep the
/// input's layout (an edge stays where it was) while the bottleneck decides what to draw.
///
/// Levels are numbered from the outside (0, at the image) in; level i has `filters · min(2^i, 8)`
/// channels, and there are ⌊log₂ min(H, W)⌋ levels: 8 for 256×256 as in the reference, 4 for
/// 28×28 (28 → 14 → 7 → 3 → 1; the odd sizes come back through the transposed convolutions'
/// output padding). Encoder: LeakyReLU(0.2) → conv → norm (no activation before level 0's conv,
/// no norm after the innermost); decoder: ReLU → transposed conv → norm, tanh at level 0. The
/// decoder of the (up to) three levels just outside the innermost applies dropout 0.5: pix2pix's
/// only source of noise, active during training.
///
/// ```swift
/// let g = UNetGenerator(inputChannels: 1, outputChannels: 1, height: 28, width: 28, norm: .batch,
///                       generator: RandomGenerator(seed: 0))
/// let y = g(Tensor.zeros([8, 1, 28, 28]))   // [8, 1, 28, 28] in [-1, 1]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1611.07004>, <https://arxiv.org/abs/1505.04597>
public final class UNetGenerator: Module, Layer {
    /// One level: its encoder convolution and norm, its decoder convolution, norm and dropout.
    public final class Level: Module {
        public let down: Conv2d
        public let downNorm: (any Layer)?
        public let up: ConvTranspose2d
        public let upNorm: (any Layer)?
        public let dropout: Dropout?

        init(down: Conv2d, downNorm: (any Layer)?, up: ConvTranspose2d, upNorm: (any Layer)?, dropout: Dropout?) {
            (self.down, self.downNorm, self.up, self.upNorm, self.dropout) = (down, downNorm, up, upNorm, dropout)
        }
    }

    /// The levels, outermost first.
    public let levels: [Level]

    /// ⌊log₂ min(height, width)⌋: the levels that take the smaller side down to 1 (or 2, 3).
    public static func levelCount(height: Int, width: Int) -> Int {
        var n = 0, side = min(height, width)
        while side >= 2 { side /= 2; n += 1 }
        return n
    }

    /// - Parameters:
    ///   - inputChannels: Channels of the input images.
    ///   - outputChannels: Channels of the output images.
    ///   - height: Image height; with `width` it sets the levels and the output paddings.
    ///   - width: Image width.
    ///   - filters: Channels of level 0 (the reference's `ngf`, 64).
    ///   - norm: Batch norm (pix2pix) or instance norm (CycleGAN).
    ///   - dropout: The probability of the decoder's dropout (0: none).
    ///   - dropoutGenerator: Draws the dropout masks; a model checkpoints it.
    ///   - g: Draws the initial weights.
    public init(inputChannels: Int, outputChannels: Int, height: Int, width: Int, filters: Int = 64,
                norm: TranslationNorm, dropout: Float = 0.5, dropoutGenerator: RandomGenerator = .global,
                generator g: RandomGenerator) {
        let count = Self.levelCount(height: height, width: width)
        precondition(count >= 1, "UNetGenerator: images of \(height)×\(width) are too small to halve")
        var sizes = [(height, width)]
        for _ in 0..<count { sizes.append((sizes.last!.0 / 2, sizes.last!.1 / 2)) }
        let widths = (0..<count).map { filters * min(1 << $0, 8) }
        let bias = norm.convolutionBias
        levels = (0..<count).map { i in
            let outer = i == 0 ? inputChannels : widths[i - 1], inner = widths[i]
            let innermost = i == count - 1
            let down = Conv2d(outer, inner, kernelSize: 4, stride: 2, padding: 1, bias: i == 0 || innermost ? true : bias, generator: g)
            // Each stride-2 convolution floors an odd side; the output padding puts the pixel back.
            let padding = (sizes[i].0 - 2 * sizes[i + 1].0, sizes[i].1 - 2 * sizes[i + 1].1)
            let up = ConvTranspose2d(innermost ? inner : 2 * inner, i == 0 ? outputChannels : outer, kernelSize: (4, 4),
                                     stride: (2, 2), padding: (1, 1), outputPadding: padding, bias: i == 0 ? true : bias, generator: g)
            let dropped = dropout > 0 && i >= max(1, count - 4) && i <= count - 2
            return Level(down: down, downNorm: i == 0 || innermost ? nil : norm(inner), up: up,
                         upNorm: i == 0 ? nil : norm(outer), dropout: dropped ? Dropout(p: dropout, generator: dropoutGenerator) : nil)
        }
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { level(0, x) }

    /// Level `i` applied to its input: the encoder, the inner levels, the decoder, and (inside
    /// level 0) the skip connection that concatenates the input to the decoder's output.
    private func level(_ i: Int, _ x: Tensor) -> Tensor {
        let l = levels[i]
        var h = l.down(i == 0 ? x : x.leakyRelu(0.2))
        if let n = l.downNorm { h = n(h) }
        let inner = i == levels.count - 1 ? h : level(i + 1, h)
        var u = l.up(inner.relu())
        if i == 0 { return u.tanh() }
        if let n = l.upNorm { u = n(u) }
        if let d = l.dropout { u = d(u) }
        return Tensor.concat([x, u], axis: 1)
    }
}
