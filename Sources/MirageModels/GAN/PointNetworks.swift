import MirageNN
import MirageTensor

/// The generator of the 2-D mode-collapse experiments (ALI, VEEGAN and PacGAN, as PacGAN's
/// published code builds it): noise → four hidden layers of 400 units, each linear (no bias) →
/// batch norm → ReLU, → a linear map to (x, y).
///
/// Initialised as PyTorch initialises these layers, not with the papers' N(0, 0.02): through four
/// layers that scale leaves the discriminator's output and gradients tiny, and the papers'
/// 400,000 steps absorb the slow start that a CPU run of ten thousand cannot (on grid25 at 10,000
/// steps the plain GAN reaches 18 modes and 49% high-quality samples this way; with N(0, 0.02)
/// it had not left a diffuse cloud at 3,000).
public final class PointGenerator: Module, Layer {
    public let main: Sequential

    /// - Parameters:
    ///   - noise: Size of the noise vector (2 in the papers).
    ///   - width: Units per hidden layer (400).
    ///   - g: Source of the initial weights.
    public init(noise: Int = 2, width: Int = 400, generator g: RandomGenerator) {
        var layers: [any Layer] = []
        var inputs = noise
        for _ in 0..<4 {
            layers += [Linear(inputs, width, bias: false, generator: g), BatchNorm1d(width), ReLU()]
            inputs = width
        }
        main = Sequential(layers + [Linear(width, 2, generator: g)])
    }

    public func callAsFunction(_ z: Tensor) -> Tensor { main(z) }
}

/// The discriminator of the 2-D mode-collapse experiments: three maxout layers of 200 units with
/// 5 pieces each, then a linear map to one logit, initialised as ``PointGenerator`` is. With
/// packing it sees `pack` points concatenated, `2·pack` inputs (PacGAN); the rest is unchanged.
public final class PointDiscriminator: Module, Layer {
    public let main: Sequential

    /// - Parameters:
    ///   - pack: Points per input (1 for a plain GAN).
    ///   - width: Units per hidden layer (200).
    ///   - pieces: Maxout pieces per unit (5).
    ///   - g: Source of the initial weights.
    public init(pack: Int = 1, width: Int = 200, pieces: Int = 5, generator g: RandomGenerator) {
        main = Sequential(Maxout(2 * pack, width, pieces: pieces, generator: g), Maxout(width, width, pieces: pieces, generator: g),
                          Maxout(width, width, pieces: pieces, generator: g), Linear(width, 1, generator: g))
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { main(x) }
}
