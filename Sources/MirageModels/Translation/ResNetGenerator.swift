import MirageNN
import MirageTensor

/// The ResNet generator of CycleGAN (Zhu et al., 2017, after Johnson et al., 2016): a 7×7
/// convolution, two stride-2 downsamplings, residual blocks at a quarter of the resolution, two
/// transposed-convolution upsamplings and a 7×7 convolution to the output, tanh. Borders are
/// reflection-padded; every convolution but the last is followed by the norm and ReLU. The
/// reference uses 9 blocks at 256×256 and 6 below; sides must be multiples of 4.
///
/// ```swift
/// let g = ResNetGenerator(inputChannels: 3, outputChannels: 3, blocks: 9, norm: .instance,
///                         generator: RandomGenerator(seed: 0))
/// let y = g(Tensor.zeros([1, 3, 256, 256]))   // [1, 3, 256, 256] in [-1, 1]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1703.10593>, <https://arxiv.org/abs/1603.08155>
public final class ResNetGenerator: Module, Layer {
    /// `x + (pad → conv 3×3 → norm → ReLU → pad → conv 3×3 → norm)(x)`.
    public final class Block: Module, Layer {
        public let body: Sequential
        init(_ channels: Int, norm: TranslationNorm, generator g: RandomGenerator) {
            let bias = norm.convolutionBias
            body = Sequential(ReflectionPad2d(1), Conv2d(channels, channels, kernelSize: 3, bias: bias, generator: g), norm(channels), ReLU(),
                              ReflectionPad2d(1), Conv2d(channels, channels, kernelSize: 3, bias: bias, generator: g), norm(channels))
        }
        public func callAsFunction(_ x: Tensor) -> Tensor { x + body(x) }
    }

    public let main: Sequential

    /// The reference's block count for an image: 9 from 256 pixels up, else 6.
    public static func defaultBlocks(height: Int, width: Int) -> Int { min(height, width) >= 256 ? 9 : 6 }

    /// - Parameters:
    ///   - inputChannels: Channels of the input images.
    ///   - outputChannels: Channels of the output images.
    ///   - filters: Channels of the first convolution (the reference's `ngf`, 64); the blocks have 4×.
    ///   - blocks: Residual blocks.
    ///   - norm: Instance norm (CycleGAN) or batch norm.
    ///   - g: Draws the initial weights.
    public init(inputChannels: Int, outputChannels: Int, filters: Int = 64, blocks: Int, norm: TranslationNorm,
                generator g: RandomGenerator) {
        let bias = norm.convolutionBias
        var layers: [any Layer] = [ReflectionPad2d(3), Conv2d(inputChannels, filters, kernelSize: 7, bias: bias, generator: g),
                                   norm(filters), ReLU()]
        for m in [1, 2] {
            layers += [Conv2d(filters * m, filters * m * 2, kernelSize: 3, stride: 2, padding: 1, bias: bias, generator: g),
                       norm(filters * m * 2), ReLU()]
        }
        layers += (0..<blocks).map { _ in Block(filters * 4, norm: norm, generator: g) }
        for m in [4, 2] {
            layers += [ConvTranspose2d(filters * m, filters * m / 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1,
                                       bias: bias, generator: g),
                       norm(filters * m / 2), ReLU()]
        }
        layers += [ReflectionPad2d(3), Conv2d(filters, outputChannels, kernelSize: 7, generator: g), Tanh()]
        main = Sequential(layers)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { main(x) }
}
