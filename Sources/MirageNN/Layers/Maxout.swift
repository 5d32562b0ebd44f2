import MirageTensor

/// A maxout layer (Goodfellow et al., 2013): `pieces` linear maps of the input, and per output
/// feature the largest of its pieces, `yᵢ = maxₖ (x·Wᵢₖᵀ + bᵢₖ)`. A learned, piecewise-linear
/// activation; the discriminators of the 2-D mode-collapse experiments (ALI, VEEGAN, PacGAN)
/// are stacks of these.
///
/// ```swift
/// let h = Maxout(2, 200, pieces: 5)
/// let y = h(Tensor.zeros([100, 2]))   // [100, 200]
/// ```
///
/// ## Shape
/// input `(N, inFeatures)`, output `(N, outFeatures)`; `linear` maps to `pieces·outFeatures`
/// features, piece by piece: output feature `i` takes features `i, outFeatures + i, …`. (That
/// layout makes the maximum run over contiguous rows of `outFeatures`, which vectorises; Blocks'
/// `LinearMaxout` interleaves the pieces instead, an equivalent parametrisation.)
///
/// - SeeAlso: <https://arxiv.org/abs/1302.4389>
public final class Maxout: Module, Layer {
    /// The `pieces` linear maps, as one layer of `outFeatures·pieces` outputs.
    public let linear: Linear
    public let outFeatures: Int
    public let pieces: Int

    /// - Parameters:
    ///   - inFeatures: Size of each input sample.
    ///   - outFeatures: Size of each output sample.
    ///   - pieces: Linear pieces per output feature (at least 1).
    ///   - generator: Source of the initial weights.
    public init(_ inFeatures: Int, _ outFeatures: Int, pieces: Int, generator: RandomGenerator = .global) {
        precondition(pieces > 0, "Maxout: pieces must be positive, got \(pieces)")
        self.outFeatures = outFeatures
        self.pieces = pieces
        linear = Linear(inFeatures, outFeatures * pieces, generator: generator)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2, "Maxout: expected input (N, features), got shape \(x.shape)")
        return linear(x).reshaped([x.shape[0], pieces, outFeatures]).max(axis: 1)
    }
}
