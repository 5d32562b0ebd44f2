/// Matrix products through the backend's GEMM.
extension Tensor {
    /// Matrix product with batch broadcasting, like `torch.matmul`: `[..., m, k] × [..., k, n]`
    /// gives `[..., m, n]`; a 1-D operand is treated as a row (left) or column (right) vector.
    ///
    /// ## Shape
    /// `self`: `(*, m, k)`, `other`: `(*, k, n)`, result: `(*, m, n)` with the batch dimensions `*`
    /// broadcast.
    public func matmul(_ other: Tensor) -> Tensor {
        shapeCheck(rank >= 1 && other.rank >= 1, "matmul: cannot multiply shapes \(shape) and \(other.shape)")
        if rank == 1 || other.rank == 1 {
            let a = rank == 1 ? unsqueezed(axis: 0) : self
            let b = other.rank == 1 ? other.unsqueezed(axis: 1) : other
            var r = a.matmul(b)
            if other.rank == 1 { r = r.squeezed(axis: -1) }
            if rank == 1 { r = r.squeezed(axis: other.rank == 1 ? -1 : -2) }
            return r
        }
        let (m, k) = (shape[rank - 2], shape[rank - 1])
        let (k2, n) = (other.shape[other.rank - 2], other.shape[other.rank - 1])
        shapeCheck(k == k2, "matmul: shapes \(shape) and \(other.shape) do not chain (\(k) vs \(k2))")
        if other.rank == 2 {
            // A batch of rows times one matrix is a single GEMM.
            let lead = Array(shape.dropLast())
            return reshaped([1, lead.reduce(1, *), k]).batchedMatmul(other.reshaped([1, k, n]), false, false)
                .reshaped(lead + [n])
        }
        let batch = broadcastShapes(Array(shape.dropLast(2)), Array(other.shape.dropLast(2)), op: "matmul")
        let b = batch.reduce(1, *)
        let lhs = expanded(to: batch + [m, k]).reshaped([b, m, k])
        let rhs = other.expanded(to: batch + [k, n]).reshaped([b, k, n])
        return lhs.batchedMatmul(rhs, false, false).reshaped(batch + [m, n])
    }

    /// `self × otherᵀ` for a 2-D `other` of shape `[n, k]`, without copying the transpose: the
    /// product of a linear layer (`x·Wᵀ` with `W` stored `[out, in]`).
    ///
    /// ## Shape
    /// `self`: `(*, k)`, `other`: `(n, k)`, result: `(*, n)`.
    public func matmul(transposed other: Tensor) -> Tensor {
        shapeCheck(rank >= 1 && other.rank == 2 && shape[rank - 1] == other.shape[1],
                   "matmul(transposed:): shapes \(shape) and \(other.shape)ᵀ do not chain")
        let lead = Array(shape.dropLast())
        let k = other.shape[1], n = other.shape[0]
        return reshaped([1, lead.reduce(1, *), k]).batchedMatmul(other.reshaped([1, n, k]), false, true)
            .reshaped(lead + [n])
    }

    /// `op(self) × op(other)` for 3-D operands of equal batch, where `op` transposes the last two
    /// axes when its flag is set. Derivatives are products of the same kind, so no transpose is
    /// ever copied.
    func batchedMatmul(_ other: Tensor, _ transA: Bool, _ transB: Bool) -> Tensor {
        let batch = shape[0]
        let (m, k) = transA ? (shape[2], shape[1]) : (shape[1], shape[2])
        let (k2, n) = transB ? (other.shape[2], other.shape[1]) : (other.shape[1], other.shape[2])
        shapeCheck(other.shape[0] == batch && k == k2,
                   "matmul: shapes \(shape) and \(other.shape) do not chain (transposed: \(transA), \(transB))")
        let out = TensorStorage(count: batch * m * n)
        if k == 0 { out.data.update(repeating: 0, count: out.count) }
        Kernels.countFlops(2 * batch * m * n * k)
        for i in 0..<batch where k > 0 {
            Kernels.backend.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1,
                                 a: storage.data + i * m * k, lda: shape[2],
                                 b: other.storage.data + i * k * n, ldb: other.shape[2],
                                 beta: 0, c: out.data + i * m * n, ldc: n)
        }
        let a = self, b = other
        return Tensor.record("matmul", out, shape: [batch, m, n], inputs: [a, b]) { g, _ in
            let ga: Tensor? = a.requiresGrad
                ? (transA ? b.batchedMatmul(g, transB, true) : g.batchedMatmul(b, false, !transB)) : nil
            let gb: Tensor? = b.requiresGrad
                ? (transB ? g.batchedMatmul(a, true, transA) : a.batchedMatmul(g, !transA, false)) : nil
            return [ga, gb]
        }
    }
}
