import MirageNN
import MirageTensor

/// The MLP generator of the benchmark GAN: 100-256-512-1024-784, LeakyReLU(0.2), tanh output.
public final class MLPGenerator: Module, Layer {
    public let main: Sequential
    let imageShape: [Int]
    public init(noise: Int = 100, imageShape: [Int] = [1, 28, 28], generator g: RandomGenerator) {
        self.imageShape = imageShape
        main = Sequential(Linear(noise, 256, generator: g), LeakyReLU(0.2), Linear(256, 512, generator: g), LeakyReLU(0.2),
                          Linear(512, 1024, generator: g), LeakyReLU(0.2),
                          Linear(1024, imageShape.reduce(1, *), generator: g), Tanh())
    }
    public func callAsFunction(_ z: Tensor) -> Tensor { main(z).reshaped([z.shape[0]] + imageShape) }
}

/// The MLP discriminator of the benchmark GAN: 784-512-256-1, LeakyReLU(0.2); outputs logits.
public final class MLPDiscriminator: Module, Layer {
    public let main: Sequential
    public init(imageShape: [Int] = [1, 28, 28], generator g: RandomGenerator) {
        main = Sequential(Linear(imageShape.reduce(1, *), 512, generator: g), LeakyReLU(0.2),
                          Linear(512, 256, generator: g), LeakyReLU(0.2), Linear(256, 1, generator: g))
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { main(x.flattened(startAxis: 1)) }
}

/// The DCGAN generator for 28×28 images (Radford et al., 2016, adapted as in the benchmark):
/// fc → 128×7×7 → ConvT 64 (14×14) → ConvT 1 (28×28), batch norm and ReLU between, tanh output.
public final class DCGANGenerator: Module, Layer {
    public let fc: Linear
    public let bn0: BatchNorm1d
    public let up1: ConvTranspose2d
    public let bn1: BatchNorm2d
    public let up2: ConvTranspose2d
    let width: Int

    public init(noise: Int = 100, width: Int = 128, channels: Int = 1, generator g: RandomGenerator) {
        self.width = width
        fc = Linear(noise, width * 7 * 7, generator: g)
        bn0 = BatchNorm1d(width * 7 * 7)
        up1 = ConvTranspose2d(width, width / 2, kernelSize: 4, stride: 2, padding: 1, generator: g)
        bn1 = BatchNorm2d(width / 2)
        up2 = ConvTranspose2d(width / 2, channels, kernelSize: 4, stride: 2, padding: 1, generator: g)
    }

    public func callAsFunction(_ z: Tensor) -> Tensor {
        let h = bn0(fc(z), then: .relu).reshaped([z.shape[0], width, 7, 7])
        return up2(bn1(up1(h), then: .relu)).tanh()
    }
}

/// The DCGAN discriminator for 28×28 images: Conv 64 (14×14) → Conv 128 (7×7) with batch norm,
/// LeakyReLU(0.2), then a linear layer to one logit. Without batch norm it is the WGAN-GP critic.
public final class DCGANDiscriminator: Module, FeatureDiscriminator {
    public let c1: Conv2d
    public let c2: Conv2d
    public let bn2: BatchNorm2d?
    public let fc: Linear

    public init(width: Int = 64, channels: Int = 1, batchNorm: Bool = true, generator g: RandomGenerator) {
        c1 = Conv2d(channels, width, kernelSize: 4, stride: 2, padding: 1, generator: g)
        c2 = Conv2d(width, width * 2, kernelSize: 4, stride: 2, padding: 1, generator: g)
        bn2 = batchNorm ? BatchNorm2d(width * 2) : nil
        fc = Linear(width * 2 * 7 * 7, 1, generator: g)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { fc(features(x)) }

    /// `[C, 28, 28]`: the fully connected layer reads the 7×7 maps of 28×28 images.
    public var inputShape: [Int] { [c1.weight.shape[1], 28, 28] }

    /// The activations the last layer reads, `[B, 2·width·7·7]`: f-AnoGAN's discriminator
    /// features (``FAnoGAN``).
    public func features(_ x: Tensor) -> Tensor {
        let h = c1(x).leakyRelu(0.2)
        let h2 = c2(h)
        return (bn2.map { $0(h2, then: .leakyRelu(negativeSlope: 0.2)) } ?? h2.leakyRelu(0.2)).flattened(startAxis: 1)
    }
}

/// The generator and discriminator (a WGAN's critic) of one GAN-family architecture, for samples
/// of shape `sample` (`[C, H, W]`, or `[2]` for points), the discriminator judging packs of
/// `pack` samples (``Packing``). Shared by ``GAN`` and ``WGAN``; `discriminatorBatchNorm` is off
/// for a critic under a gradient penalty (the DCGAN critic is the only one that has batch norm).
/// The generator's weights are drawn from `g` first, then the discriminator's.
func adversarialNetworks(_ architecture: GAN.Architecture, sample: [Int], noise: Int, pack: Int,
                         discriminatorBatchNorm: Bool = true, generator g: RandomGenerator) -> (generator: any Layer, discriminator: any Layer) {
    precondition(pack > 0, "GAN networks: pack \(pack) must be positive")
    switch architecture {
    case .mlp:
        return (MLPGenerator(noise: noise, imageShape: sample, generator: g),
                MLPDiscriminator(imageShape: Packing.packedShape(sample, pack), generator: g))
    case .dcgan:
        precondition(Array(sample.suffix(2)) == [28, 28], "GAN networks: the DCGAN architecture is for 28×28 images, got \(sample)")
        let generator = DCGANGenerator(noise: noise, channels: sample[0], generator: g)
        let discriminator = DCGANDiscriminator(channels: sample[0] * pack, batchNorm: discriminatorBatchNorm, generator: g)
        dcganInitialize(generator, generator: g)
        dcganInitialize(discriminator, generator: g)
        return (generator, discriminator)
    case .points:
        precondition(sample == [2], "GAN networks: the points architecture is for 2-D points, got samples of shape \(sample)")
        return (PointGenerator(noise: noise, generator: g), PointDiscriminator(pack: pack, generator: g))
    }
}

/// DCGAN's initialisation: weights of convolutions and linear layers N(0, 0.02), batch-norm
/// scales N(1, 0.02), biases 0.
public func dcganInitialize(_ module: Module, generator: RandomGenerator) {
    module.apply { m in
        switch m {
        case let l as Linear:
            l.weight = Init.normal(l.weight.shape, std: 0.02, generator: generator)
            l.bias = l.bias.map { Tensor.zeros($0.shape) }
        case let c as Conv2d:
            c.weight = Init.normal(c.weight.shape, std: 0.02, generator: generator)
            c.bias = c.bias.map { Tensor.zeros($0.shape) }
        case let c as ConvTranspose2d:
            c.weight = Init.normal(c.weight.shape, std: 0.02, generator: generator)
            c.bias = c.bias.map { Tensor.zeros($0.shape) }
        case let b as BatchNorm:
            b.weight = b.weight.map { Init.normal($0.shape, mean: 1, std: 0.02, generator: generator) }
            b.bias = b.bias.map { Tensor.zeros($0.shape) }
        default: break
        }
    }
}
