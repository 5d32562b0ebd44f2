import MirageNN
import MirageTensor

/// LAPGAN's generator for the coarsest level: noise → fc → `width`×S×S (batch norm, ReLU) →
/// 3×3 conv `width` (batch norm, ReLU) → 3×3 conv to the image's channels, tanh.
public final class CoarseGenerator: Module, Layer {
    public let fc: Linear
    public let bn0: BatchNorm1d
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    let width: Int
    let size: Int

    public init(noise: Int, size: Int, channels: Int, width: Int = 64, generator g: RandomGenerator) {
        self.width = width
        self.size = size
        fc = Linear(noise, width * size * size, generator: g)
        bn0 = BatchNorm1d(width * size * size)
        conv1 = Conv2d(width, width, kernelSize: 3, padding: 1, generator: g)
        bn1 = BatchNorm2d(width)
        conv2 = Conv2d(width, channels, kernelSize: 3, padding: 1, generator: g)
    }

    public func callAsFunction(_ z: Tensor) -> Tensor {
        let h = bn0(fc(z), then: .relu).reshaped([z.shape[0], width, size, size])
        return conv2(bn1(conv1(h), then: .relu)).tanh()
    }
}

/// LAPGAN's generator for a finer level: the upsampled coarser image with one plane of noise
/// stacked on it → 3×3 conv `width` (batch norm, ReLU) → 3×3 conv `width` (batch norm, ReLU) →
/// 3×3 conv to the image's channels. Its output is the band-pass residual, unbounded, that is
/// added to the coarser image.
public final class BandGenerator: Module {
    public let conv1: Conv2d
    public let bn1: BatchNorm2d
    public let conv2: Conv2d
    public let bn2: BatchNorm2d
    public let conv3: Conv2d

    public init(channels: Int, width: Int = 32, generator g: RandomGenerator) {
        conv1 = Conv2d(channels + 1, width, kernelSize: 3, padding: 1, generator: g)
        bn1 = BatchNorm2d(width)
        conv2 = Conv2d(width, width, kernelSize: 3, padding: 1, generator: g)
        bn2 = BatchNorm2d(width)
        conv3 = Conv2d(width, channels, kernelSize: 3, padding: 1, generator: g)
    }

    /// The residual for `coarse` (the coarser image, already upsampled, `[B, C, H, W]`) and
    /// `noise` `[B, 1, H, W]`.
    public func callAsFunction(_ coarse: Tensor, noise: Tensor) -> Tensor {
        let h = bn1(conv1(Tensor.concat([coarse, noise], axis: 1)), then: .relu)
        return conv3(bn2(conv2(h), then: .relu))
    }
}

/// LAPGAN's whole generator, coarse to fine: the coarse generator draws the smallest image and
/// each band generator adds the detail of the next level to its upsampled predecessor. As a
/// `Layer` it maps one noise vector per image, `[B, noise + Σ planes]` (the coarse noise, then
/// one noise plane per finer level, flattened), to the finest image.
public final class LaplacianGenerator: Module, Layer {
    public let coarse: CoarseGenerator
    /// One per finer level, coarsest first.
    public let bands: [BandGenerator]
    let noise: Int
    let coarseSize: Int

    public init(noise: Int, imageShape: [Int], levels: Int, coarseWidth: Int = 64, bandWidth: Int = 32, generator g: RandomGenerator) {
        self.noise = noise
        coarseSize = imageShape[1] >> (levels - 1)
        coarse = CoarseGenerator(noise: noise, size: coarseSize, channels: imageShape[0], width: coarseWidth, generator: g)
        bands = (1..<levels).map { _ in BandGenerator(channels: imageShape[0], width: bandWidth, generator: g) }
    }

    /// The side of the images at each level, coarsest first.
    public var sizes: [Int] { (0...bands.count).map { coarseSize << $0 } }

    /// The length of the noise vector ``callAsFunction(_:)`` takes.
    public var noiseSize: Int { noise + sizes.dropFirst().reduce(0) { $0 + $1 * $1 } }

    /// The image at every level, coarsest first, for noise vectors `[B, noiseSize]`.
    public func levels(_ z: Tensor) -> [Tensor] {
        let b = z.shape[0]
        var images = [coarse(z.sliced(axis: 1, 0..<noise))]
        var offset = noise
        for (band, size) in zip(bands, sizes.dropFirst()) {
            let plane = z.sliced(axis: 1, offset..<(offset + size * size)).reshaped([b, 1, size, size])
            offset += size * size
            let up = LaplacianPyramid.expand(images[images.count - 1])
            images.append(up + band(up, noise: plane))
        }
        return images
    }

    /// The finest image for noise vectors `[B, noiseSize]`.
    public func callAsFunction(_ z: Tensor) -> Tensor { levels(z)[bands.count] }
}

/// A discriminator for one pyramid level: 4×4 stride-2 conv `width` (LeakyReLU 0.2) → 4×4
/// stride-2 conv 2·`width` (batch norm, LeakyReLU 0.2) → linear to one logit. At a finer level it
/// sees the image with the upsampled coarser image stacked on its channels, so it judges whether
/// the detail fits the coarse image it was drawn for.
public final class PyramidDiscriminator: Module {
    public let c1: Conv2d
    public let c2: Conv2d
    public let bn2: BatchNorm2d
    public let fc: Linear

    public init(channels: Int, size: Int, width: Int, generator g: RandomGenerator) {
        c1 = Conv2d(channels, width, kernelSize: 4, stride: 2, padding: 1, generator: g)
        c2 = Conv2d(width, width * 2, kernelSize: 4, stride: 2, padding: 1, generator: g)
        bn2 = BatchNorm2d(width * 2)
        let out = ((size + 2 - 4) / 2 + 1 + 2 - 4) / 2 + 1
        fc = Linear(width * 2 * out * out, 1, generator: g)
    }

    /// Logits `[B, 1]` for images `[B, C, H, W]`, with the condition's channels stacked on if given.
    public func callAsFunction(_ x: Tensor, condition: Tensor? = nil) -> Tensor {
        let input = condition.map { Tensor.concat([x, $0], axis: 1) } ?? x
        return fc(bn2(c2(c1(input).leakyRelu(0.2)), then: .leakyRelu(negativeSlope: 0.2)).flattened(startAxis: 1))
    }
}

/// LAPGAN's discriminators, one per level, coarsest first; each level's GAN is trained on its own.
public final class LaplacianDiscriminator: Module {
    public let levels: [PyramidDiscriminator]

    public init(channels: Int, sizes: [Int], coarseWidth: Int = 64, bandWidth: Int = 32, generator g: RandomGenerator) {
        levels = sizes.enumerated().map { k, size in
            PyramidDiscriminator(channels: k == 0 ? channels : 2 * channels, size: size,
                                 width: k == 0 ? coarseWidth : bandWidth, generator: g)
        }
    }
}
