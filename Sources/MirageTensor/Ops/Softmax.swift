/// Reductions composed from primitives: their derivatives, at every order, follow from those of
/// the primitives.
extension Tensor {
    /// `x − max(x)` over `axes` and the log of its exponentials' sum. The maximum is a constant
    /// shift: it cancels exactly in every value and derivative below, and keeps `exp` from
    /// overflowing. An all-−∞ slice keeps its −∞ instead of producing NaN.
    private func shiftedLogSumExp(_ axes: [Int]) -> (shifted: Tensor, logSum: Tensor, shift: Tensor) {
        let m = max(axes: axes, keepDims: true).detached()
        let shift = Tensor.where(m.abs() .< .infinity, m, Tensor(0))
        let shifted = self - shift
        return (shifted, shifted.exp().sum(axes: axes, keepDims: true).log(), shift)
    }

    /// log Σ exp(x) over `axes`, stable for large values.
    public func logSumExp(axes: [Int], keepDims: Bool = false) -> Tensor {
        let (_, logSum, shift) = shiftedLogSumExp(axes)
        let s = logSum + shift
        if keepDims { return s }
        let drop = Set(axes.map { normalizeAxis($0, rank: rank, op: "logSumExp") })
        return s.reshaped(s.shape.enumerated().filter { !drop.contains($0.offset) }.map(\.element))
    }

    /// log Σ exp(x) over one axis.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor { logSumExp(axes: [axis], keepDims: keepDims) }

    /// exp(x) / Σ exp(x) along `axis`.
    public func softmax(axis: Int = -1) -> Tensor {
        let e = shiftedLogSumExp([axis]).shifted.exp()
        return e / e.sum(axes: [axis], keepDims: true)
    }

    /// x − log Σ exp(x) along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor {
        let (shifted, logSum, _) = shiftedLogSumExp([axis])
        return shifted - logSum
    }

    /// Variance over `axes`; all axes when nil. `unbiased` divides by n − 1 (Bessel's
    /// correction, `torch.var`'s default) instead of n.
    public func variance(axes: [Int]? = nil, unbiased: Bool = true, keepDims: Bool = false) -> Tensor {
        let axes = axes ?? Array(0..<rank)
        let d = self - mean(axes: axes, keepDims: true)
        let n = axes.map { shape[normalizeAxis($0, rank: rank, op: "variance")] }.reduce(1, *)
        return (d * d).sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(unbiased ? n - 1 : n, 1)))
    }

    /// Euclidean norm over `axes` (all when nil): √Σx².
    public func norm(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        (self * self).sum(axes: axes, keepDims: keepDims).sqrt()
    }

    /// Euclidean norm over one axis.
    public func norm(axis: Int, keepDims: Bool = false) -> Tensor { norm(axes: [axis], keepDims: keepDims) }
}
