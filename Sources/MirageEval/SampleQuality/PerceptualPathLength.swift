import Foundation
import MirageTensor

/// The perceptual path length (Karras et al., 2019, section 4.2): how much the images change,
/// in a perceptual feature space, when the latent moves a small step ε along the straight line
/// between two random latents,
/// PPL = E[‖φ(G(lerp(w₁, w₂, t))) − φ(G(lerp(w₁, w₂, t + ε)))‖² / ε²], t ~ U(0, 1),
/// with the values below the 1st and above the 99th percentile left out, as the paper does. A
/// smooth latent space, where equal steps change the images equally, has a low PPL.
///
/// The paper's φ is LPIPS on VGG-16 features of face crops; for digits, Mirage uses the judge's
/// 128 penultimate features (a documented adaptation: the numbers compare Mirage's runs with
/// each other and with the peer's under the same judge, not with the paper's).
///
/// ```swift
/// let ppl = PerceptualPathLength.measure(pairs: 10_000, epsilon: 1e-4, generator: RandomGenerator(seed: 0),
///                                        endpoints: { n, g in (model.intermediate(randn(n)), model.intermediate(randn(n))) },
///                                        render: model.images(intermediate:), features: judge.features)
/// ```
///
/// - SeeAlso: Karras et al., "A Style-Based Generator Architecture for GANs", 2019,
///   <https://arxiv.org/abs/1812.04948>
public enum PerceptualPathLength {
    /// The result: the mean over the kept pairs, and how many pairs were measured and kept.
    public struct Result: Sendable {
        public var value: Double
        public var pairs: Int
        public var kept: Int
    }

    /// Measures the PPL.
    ///
    /// - Parameters:
    ///   - pairs: Pairs of latents, measured `chunk` at a time.
    ///   - epsilon: The step along the line.
    ///   - generator: Draws t.
    ///   - endpoints: The two latents of `n` pairs, `[n, d]` each.
    ///   - render: Images of latents.
    ///   - features: The perceptual features of images, `[n, F]`.
    public static func measure(pairs: Int, epsilon: Float = 1e-4, chunk: Int = 250, generator: RandomGenerator,
                               endpoints: (Int, RandomGenerator) -> (Tensor, Tensor),
                               render: (Tensor) -> Tensor, features: (Tensor) -> Tensor) -> Result {
        precondition(pairs >= 1 && epsilon > 0, "PerceptualPathLength: \(pairs) pairs with ε \(epsilon)")
        var distances: [Double] = []
        var done = 0
        while done < pairs {
            let n = Swift.min(chunk, pairs - done)
            let (w1, w2) = endpoints(n, generator)
            let t = Tensor.rand([n, 1], generator: generator)
            let a = w1 + (w2 - w1) * t, b = w1 + (w2 - w1) * (t + epsilon)
            let both = features(render(Tensor.concat([a, b], axis: 0)))
            let fa = both.sliced(axis: 0, 0..<n), fb = both.sliced(axis: 0, n..<(2 * n))
            let d = (fa - fb).pow(2).sum(axes: [1]).scalars.map { Double($0) / Double(epsilon * epsilon) }
            distances += d
            done += n
        }
        let sorted = distances.sorted()
        let low = sorted[Int(Double(sorted.count - 1) * 0.01)], high = sorted[Int(Double(sorted.count - 1) * 0.99)]
        let kept = distances.filter { $0 >= low && $0 <= high }
        return Result(value: kept.reduce(0, +) / Double(Swift.max(1, kept.count)), pairs: pairs, kept: kept.count)
    }
}
