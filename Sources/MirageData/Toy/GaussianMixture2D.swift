import Foundation
import MirageTensor

/// A 2-D distribution to sample from: the toy problems of GAN papers.
///
/// ```swift
/// let toy: any ToyDistribution2D = TwoMoons()
/// let batch = toy.sample(count: 256, generator: RandomGenerator(seed: 0))   // [256, 2]
/// ```
public protocol ToyDistribution2D: Sendable {
    /// The name the CLI knows it by (`ring8`, `moons`).
    var name: String { get }

    /// Draws `count` points.
    ///
    /// - Parameters:
    ///   - count: Number of points (0 or more).
    ///   - generator: The source of randomness; the same seed gives the same points.
    /// - Returns: A `[count, 2]` tensor of (x, y) pairs.
    func sample(count: Int, generator: RandomGenerator) -> Tensor
}

/// An equal-weight mixture of isotropic Gaussians with known centres: the standard test for
/// mode collapse, since a generator's samples can be assigned to the nearest mode and counted.
///
/// ``ring8(radius:sigma:)`` is the ring of 8 Gaussians of Metz et al. (unrolled GANs) and
/// ``grid25(spacing:sigma:)`` the 5×5 grid of Dumoulin et al. / VEEGAN. A sample within 3σ of
/// a mode is usually counted as "high quality" and a mode with enough such samples as covered.
///
/// ```swift
/// let grid = GaussianMixture2D.grid25()
/// let x = grid.sample(count: 1000, generator: RandomGenerator(seed: 0))
/// let (mode, distance) = grid.nearestMode(to: SIMD2(x.scalars[0], x.scalars[1]))
/// print(grid.modes[mode], distance < 3 * grid.sigma)
/// ```
///
/// - SeeAlso: Metz et al., "Unrolled Generative Adversarial Networks", 2017,
///   <https://arxiv.org/abs/1611.02163>; Srivastava et al., "VEEGAN", 2017,
///   <https://arxiv.org/abs/1705.07761>
public struct GaussianMixture2D: ToyDistribution2D {
    public let name: String
    /// The centres of the components.
    public let modes: [SIMD2<Float>]
    /// The standard deviation of every component, along each axis.
    public let sigma: Float

    /// Creates a mixture from its centres.
    ///
    /// - Parameters:
    ///   - name: A short name.
    ///   - modes: The centres (at least one).
    ///   - sigma: The standard deviation of each component (0 or more).
    public init(name: String, modes: [SIMD2<Float>], sigma: Float) {
        precondition(!modes.isEmpty, "GaussianMixture2D(\(name)): needs at least one mode")
        precondition(sigma >= 0, "GaussianMixture2D(\(name)): sigma \(sigma) is negative")
        self.name = name
        self.modes = modes
        self.sigma = sigma
    }

    /// Eight Gaussians evenly spaced on a circle, the first at (radius, 0).
    ///
    /// - Parameters:
    ///   - radius: The circle's radius.
    ///   - sigma: Each component's standard deviation.
    /// - Returns: The mixture, named `ring8`.
    public static func ring8(radius: Float = 1, sigma: Float = 0.01) -> GaussianMixture2D {
        let modes = (0..<8).map { k -> SIMD2<Float> in
            let angle = 2 * Double.pi * Double(k) / 8
            return SIMD2(radius * Float(cos(angle)), radius * Float(sin(angle)))
        }
        return GaussianMixture2D(name: "ring8", modes: modes, sigma: sigma)
    }

    /// Twenty-five Gaussians on a 5×5 grid at {-2, -1, 0, 1, 2} × spacing in each axis
    /// ({-4, -2, 0, 2, 4}² by default).
    ///
    /// - Parameters:
    ///   - spacing: The distance between neighbouring modes.
    ///   - sigma: Each component's standard deviation.
    /// - Returns: The mixture, named `grid25`, modes in row-major order from (-2s, -2s).
    public static func grid25(spacing: Float = 2, sigma: Float = 0.05) -> GaussianMixture2D {
        let steps: [Float] = [-2, -1, 0, 1, 2]
        let modes = steps.flatMap { x in steps.map { y in SIMD2(x * spacing, y * spacing) } }
        return GaussianMixture2D(name: "grid25", modes: modes, sigma: sigma)
    }

    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        precondition(count >= 0, "\(name).sample: count \(count) is negative")
        let storage = TensorStorage(count: 2 * count)
        for i in 0..<count {
            let m = modes[generator.nextIndex(below: modes.count)]
            storage.data[2 * i] = m.x + sigma * generator.nextNormal()
            storage.data[2 * i + 1] = m.y + sigma * generator.nextNormal()
        }
        return Tensor(storage: storage, shape: [count, 2])
    }

    /// The mode nearest to `point` and the distance to it.
    ///
    /// - Parameter point: An (x, y) pair.
    /// - Returns: The index into ``modes`` and the Euclidean distance.
    public func nearestMode(to point: SIMD2<Float>) -> (index: Int, distance: Float) {
        var best = (index: 0, distance: Float.infinity)
        for (k, m) in modes.enumerated() {
            let d = ((point - m) * (point - m)).sum().squareRoot()
            if d < best.distance { best = (k, d) }
        }
        return best
    }
}

/// The toy distributions by CLI name.
public enum ToyDistributions {
    /// The names accepted by ``named(_:)``.
    public static let names = ["ring8", "grid25", "swissroll", "moons", "circles"]

    /// The distribution called `name`, with default parameters, or `nil` if there is none.
    ///
    /// ```swift
    /// let toy = ToyDistributions.named("moons")!
    /// ```
    ///
    /// - Parameter name: One of ``names``.
    /// - Returns: The distribution.
    public static func named(_ name: String) -> (any ToyDistribution2D)? {
        switch name {
        case "ring8": return GaussianMixture2D.ring8()
        case "grid25": return GaussianMixture2D.grid25()
        case "swissroll": return SwissRoll()
        case "moons": return TwoMoons()
        case "circles": return ConcentricCircles()
        default: return nil
        }
    }
}
