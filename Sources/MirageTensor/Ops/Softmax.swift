/// Reductions composed from primitives: their derivatives, at every order, follow from those of
/// the primitives.
extension Tensor {
    /// log Σ exp(x) over `axes`, stable for large values (the maximum is subtracted first).
    public func logSumExp(axes: [Int], keepDims: Bool = false) -> Tensor {
        // The shift is a constant: it cancels exactly in the value and in every derivative.
        let m = max(axes: axes, keepDims: true).detached()
        let finite = Tensor.where(m.abs() .< .infinity, m, Tensor(0))
        let s = (self - finite).exp().sum(axes: axes, keepDims: true).log() + finite
        return keepDims ? s : s.reshaped(s.shape.enumerated()
            .filter { !Set(axes.map { normalizeAxis($0, rank: rank, op: "logSumExp") }).contains($0.offset) }.map(\.element))
    }

    /// log Σ exp(x) over one axis.
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor { logSumExp(axes: [axis], keepDims: keepDims) }

    /// exp(x) / Σ exp(x) along `axis`.
    public func softmax(axis: Int = -1) -> Tensor { logSoftmax(axis: axis).exp() }

    /// x − log Σ exp(x) along `axis`.
    public func logSoftmax(axis: Int = -1) -> Tensor { self - logSumExp(axes: [axis], keepDims: true) }

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
