import MirageNN
import MirageTensor

/// The PatchGAN discriminator of pix2pix and CycleGAN: a stack of 4×4 convolutions whose output
/// is a map of logits, each judging whether one patch of the image is real. Penalising structure
/// patch by patch leaves the low frequencies to the L1 (pix2pix) or cycle (CycleGAN) loss.
///
/// `layers` stride-2 convolutions (channels `filters · min(2^n, 8)`), one stride-1 convolution,
/// then a stride-1 convolution to one channel; LeakyReLU(0.2) after each but the last, the norm
/// after each but the first and last. With 3 layers, as in the reference, each logit sees a 70×70
/// patch; with 2 (the default below 64 pixels) a 34×34 one, and a 28×28 image gets a 5×5 map.
///
/// ```swift
/// let d = PatchGANDiscriminator(inputChannels: 2, layers: 2, norm: .batch, generator: RandomGenerator(seed: 0))
/// let logits = d(Tensor.zeros([8, 2, 28, 28]))   // [8, 1, 5, 5]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1611.07004>
public final class PatchGANDiscriminator: Module, Layer {
    public let main: Sequential

    /// The reference's default depth for an image: 3 from 64 pixels up, else 2.
    public static func defaultLayers(height: Int, width: Int) -> Int { min(height, width) >= 64 ? 3 : 2 }

    /// - Parameters:
    ///   - inputChannels: Channels it judges (pix2pix: input and output stacked).
    ///   - filters: Channels of the first convolution (the reference's `ndf`, 64).
    ///   - layers: Stride-2 convolutions (the reference's `n_layers`, 3).
    ///   - norm: Batch norm (pix2pix) or instance norm (CycleGAN).
    ///   - g: Draws the initial weights.
    public init(inputChannels: Int, filters: Int = 64, layers: Int, norm: TranslationNorm, generator g: RandomGenerator) {
        precondition(layers >= 1, "PatchGANDiscriminator: needs at least one stride-2 layer, got \(layers)")
        func width(_ n: Int) -> Int { filters * min(1 << n, 8) }
        var body: [any Layer] = [Conv2d(inputChannels, filters, kernelSize: 4, stride: 2, padding: 1, generator: g), LeakyReLU(0.2)]
        for n in 1..<(layers + 1) {
            body += [Conv2d(width(n - 1), width(n), kernelSize: 4, stride: n < layers ? 2 : 1, padding: 1,
                            bias: norm.convolutionBias, generator: g),
                     norm(width(n)), LeakyReLU(0.2)]
        }
        body.append(Conv2d(width(layers), 1, kernelSize: 4, stride: 1, padding: 1, generator: g))
        main = Sequential(body)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { main(x) }
}
