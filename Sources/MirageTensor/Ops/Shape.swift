/// Reshapes and axis permutations.
extension Tensor {
    /// The same elements in a new shape; one dimension may be `-1` and is then inferred.
    /// Shares storage with `self`.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let i = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != i }.map(\.element).reduce(1, *)
            shapeCheck(known > 0 && count % known == 0, "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
            target[i] = count / known
        }
        shapeCheck(elementCount(target) == count && target.allSatisfy { $0 >= 0 },
                   "reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let inShape = shape
        return Tensor.record("reshape", storage, shape: target, inputs: [self]) { g, _ in [g.reshaped(inShape)] }
    }

    /// Collapses dimensions `startAxis...endAxis` into one, like `torch.flatten`.
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let s = normalizeAxis(startAxis, rank: rank, op: "flattened"), e = normalizeAxis(endAxis, rank: rank, op: "flattened")
        shapeCheck(s <= e, "flattened: start axis \(startAxis) comes after end axis \(endAxis) for shape \(shape)")
        return reshaped(Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...]))
    }

    /// Inserts a size-1 dimension at `axis`.
    public func unsqueezed(axis: Int) -> Tensor {
        let a = normalizeAxis(axis, rank: rank + 1, op: "unsqueezed")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Removes the size-1 dimension at `axis`.
    public func squeezed(axis: Int) -> Tensor {
        let a = normalizeAxis(axis, rank: rank, op: "squeezed")
        shapeCheck(shape[a] == 1, "squeezed: axis \(axis) of shape \(shape) has size \(shape[a]), not 1")
        var s = shape
        s.remove(at: a)
        return reshaped(s)
    }

    /// Reorders the axes: output axis `i` is input axis `axes[i]`. Copies the elements.
    public func permuted(_ axes: [Int]) -> Tensor {
        let norm = axes.map { normalizeAxis($0, rank: rank, op: "permuted") }
        shapeCheck(norm.count == rank && Set(norm).count == rank,
                   "permuted: \(axes) is not a permutation of the \(rank) axes of shape \(shape)")
        if norm == Array(0..<rank) { return self }
        let strides = contiguousStrides(shape)
        let outShape = norm.map { shape[$0] }
        let out = TensorStorage(count: count)
        stridedCopy(shape: outShape, src: storage.data, srcStrides: norm.map { strides[$0] },
                    dst: out.data, dstStrides: contiguousStrides(outShape))
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in norm.enumerated() { inverse[a] = i }
        return Tensor.record("permute", out, shape: outShape, inputs: [self]) { g, _ in [g.permuted(inverse)] }
    }

    /// Swaps two axes.
    public func transposed(_ a: Int = -2, _ b: Int = -1) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(normalizeAxis(a, rank: rank, op: "transposed"), normalizeAxis(b, rank: rank, op: "transposed"))
        return permuted(axes)
    }
}
