import Foundation
import MirageTensor

/// The 2-D swiss roll: a spiral `t·(cos t, sin t)` for `t` uniform in [1.5π, 4.5π], plus
/// Gaussian noise, scaled down.
///
/// The defaults follow the WGAN-GP toy experiments: noise 0.25 (scikit-learn's
/// `make_swiss_roll(noise=0.25)`, keeping its x and z columns) and a scale of 1/7.5, which puts
/// the roll inside about [-1.6, 1.9]².
///
/// ```swift
/// let roll = SwissRoll().sample(count: 512, generator: RandomGenerator(seed: 0))   // [512, 2]
/// ```
///
/// - SeeAlso: Gulrajani et al., "Improved Training of Wasserstein GANs", 2017,
///   <https://arxiv.org/abs/1704.00028>
public struct SwissRoll: ToyDistribution2D {
    public let name = "swissroll"
    /// Standard deviation of the Gaussian noise added before scaling.
    public let noise: Float
    /// The factor applied to every coordinate.
    public let scale: Float

    /// Creates the distribution.
    ///
    /// - Parameters:
    ///   - noise: Standard deviation of the noise, in unscaled units.
    ///   - scale: The factor applied at the end.
    public init(noise: Float = 0.25, scale: Float = 1 / 7.5) {
        self.noise = noise
        self.scale = scale
    }

    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        toyPoints(count) {
            let t = 1.5 * Float.pi * (1 + 2 * generator.nextUniform())
            let x = t * Float(cos(Double(t))) + noise * generator.nextNormal()
            let y = t * Float(sin(Double(t))) + noise * generator.nextNormal()
            return SIMD2(x * scale, y * scale)
        }
    }
}

/// Two interleaving half circles, as scikit-learn's `make_moons`: the upper moon
/// `(cos t, sin t)` and the lower `(1 - cos t, 0.5 - sin t)`, `t` uniform in [0, π], each
/// point on either moon with probability ½, plus Gaussian noise.
///
/// ```swift
/// let moons = TwoMoons(noise: 0.1).sample(count: 512, generator: RandomGenerator(seed: 0))
/// ```
public struct TwoMoons: ToyDistribution2D {
    public let name = "moons"
    /// Standard deviation of the Gaussian noise on each coordinate.
    public let noise: Float

    /// Creates the distribution.
    ///
    /// - Parameter noise: Standard deviation of the noise.
    public init(noise: Float = 0.05) {
        self.noise = noise
    }

    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        toyPoints(count) {
            let upper = generator.nextUniform() < 0.5
            let t = Double.pi * Double(generator.nextUniform())
            let (c, s) = (Float(cos(t)), Float(sin(t)))
            let point = upper ? SIMD2(c, s) : SIMD2(1 - c, 0.5 - s)
            return point + SIMD2(noise * generator.nextNormal(), noise * generator.nextNormal())
        }
    }
}

/// Two concentric circles, as scikit-learn's `make_circles`: radius 1 and radius `factor`,
/// each point on either with probability ½ at a uniform angle, plus Gaussian noise.
///
/// ```swift
/// let rings = ConcentricCircles(factor: 0.3).sample(count: 512, generator: RandomGenerator(seed: 0))
/// ```
public struct ConcentricCircles: ToyDistribution2D {
    public let name = "circles"
    /// The inner circle's radius (the outer one's is 1).
    public let factor: Float
    /// Standard deviation of the Gaussian noise on each coordinate.
    public let noise: Float

    /// Creates the distribution.
    ///
    /// - Parameters:
    ///   - factor: The inner radius, in (0, 1).
    ///   - noise: Standard deviation of the noise.
    public init(factor: Float = 0.5, noise: Float = 0.05) {
        precondition(factor > 0 && factor < 1, "ConcentricCircles: factor \(factor) must lie in (0, 1)")
        self.factor = factor
        self.noise = noise
    }

    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        toyPoints(count) {
            let radius: Float = generator.nextUniform() < 0.5 ? 1 : factor
            let angle = 2 * Double.pi * Double(generator.nextUniform())
            return SIMD2(radius * Float(cos(angle)) + noise * generator.nextNormal(),
                         radius * Float(sin(angle)) + noise * generator.nextNormal())
        }
    }
}

/// `count` points from `draw` as a `[count, 2]` tensor.
func toyPoints(_ count: Int, _ draw: () -> SIMD2<Float>) -> Tensor {
    precondition(count >= 0, "sample: count \(count) is negative")
    let storage = TensorStorage(count: 2 * count)
    for i in 0..<count {
        let p = draw()
        storage.data[2 * i] = p.x
        storage.data[2 * i + 1] = p.y
    }
    return Tensor(storage: storage, shape: [count, 2])
}
