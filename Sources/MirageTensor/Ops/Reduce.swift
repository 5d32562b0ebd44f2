import CMirageKernels

/// Reductions over axes, and their adjoint, broadcasting (``Tensor/expanded(to:)``).
extension Tensor {
    private func reducedShape(_ axes: [Int], op: String) -> (keep: [Int], axes: Set<Int>) {
        let set = Set(axes.map { normalizeAxis($0, rank: rank, op: op) })
        shapeCheck(set.count == axes.count, "\(op): repeated axis in \(axes) for shape \(shape)")
        let keep = shape.enumerated().map { set.contains($0.offset) ? 1 : $0.element }
        return (keep, set)
    }

    /// Reduces to `keepShape` with `reduction`: rows reduced to one value fold in vector lanes
    /// (a scalar accumulator is a serial dependency chain), other rows fold element-wise.
    private func reduceKernel(keepShape: [Int], _ reduction: MirageReduction) -> TensorStorage {
        let out = TensorStorage(count: elementCount(keepShape), repeating: mirage_reduction_identity(reduction))
        if count == 0 { return out }
        // One thread: rows of different chunks may add into the same outputs.
        let rows = StridedRows(shape: shape, strides: [contiguousStrides(shape), broadcastStrides(keepShape, to: shape)])
        let inner = rows.inner, so = rows.innerStrides[1]
        let src = storage.data, dst = out.data
        rows.forEach(0..<rows.count) { offsets in
            let x = src + offsets[0], o = dst + offsets[1]
            if so == 0 {
                mirage_reduce(reduction, x, inner, o)
            } else {
                mirage_reduce_elementwise(reduction, x, o, inner)
            }
        }
        return out
    }

    /// Sum over `axes`; all axes when `axes` is nil.
    ///
    /// - Parameters:
    ///   - axes: The axes to sum over, or `nil` for all of them.
    ///   - keepDims: Keep reduced axes as size-1 dimensions.
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let (keep, set) = reducedShape(axes ?? Array(0..<rank), op: "sum")
        let outShape = keepDims ? keep : shape.enumerated().filter { !set.contains($0.offset) }.map(\.element)
        // Sum rows in double precision where they are long: float accumulation over 10⁵ terms drifts.
        let out: TensorStorage
        if set.count == rank && count > 4096 {
            out = TensorStorage(count: 1, repeating: Float(mirage_sum_double(storage.data, count)))
        } else {
            out = reduceKernel(keepShape: keep, .sum)
        }
        let inShape = shape
        return Tensor.record("sum", out, shape: outShape, inputs: [self]) { g, _ in
            [g.reshaped(keep).expanded(to: inShape)]
        }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes`; all axes when `axes` is nil.
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let (keep, _) = reducedShape(axes ?? Array(0..<rank), op: "mean")
        let n = count / Swift.max(elementCount(keep), 1)
        return sum(axes: axes, keepDims: keepDims) * (1 / Float(Swift.max(n, 1)))
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    private func extremum(_ axes: [Int]?, keepDims: Bool, op: String, _ reduction: MirageReduction) -> Tensor {
        shapeCheck(count > 0, "\(op): cannot reduce an empty tensor of shape \(shape)")
        let (keep, set) = reducedShape(axes ?? Array(0..<rank), op: op)
        let outShape = keepDims ? keep : shape.enumerated().filter { !set.contains($0.offset) }.map(\.element)
        let out = reduceKernel(keepShape: keep, reduction)
        return Tensor.record(op, out, shape: outShape, inputs: [self], savesOutput: true) { g, y in
            // Ties share the gradient equally, as torch.amax does.
            let mask = (self.detached() .== y.detached().reshaped(keep))
            let share = mask / mask.sum(axes: Array(set), keepDims: true)
            return [g.reshaped(keep) * share]
        }
    }

    /// Maximum over `axes`; all axes when `axes` is nil. Tied maxima share the gradient; a NaN
    /// in a slice makes its maximum NaN.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(axes, keepDims: keepDims, op: "max", .maximum)
    }

    /// Minimum over `axes`; all axes when `axes` is nil. Tied minima share the gradient; a NaN
    /// in a slice makes its minimum NaN.
    public func min(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        extremum(axes, keepDims: keepDims, op: "min", .minimum)
    }

    /// Maximum over one axis.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }
    /// Minimum over one axis.
    public func min(axis: Int, keepDims: Bool = false) -> Tensor { min(axes: [axis], keepDims: keepDims) }

    /// Index of the largest element along `axis` (first one on ties), as integral floats; no gradient.
    public func argmax(axis: Int) -> Tensor {
        let a = normalizeAxis(axis, rank: rank, op: "argmax")
        let outer = shape[..<a].reduce(1, *), n = shape[a], inner = shape[(a + 1)...].reduce(1, *)
        shapeCheck(n > 0, "argmax: axis \(axis) of shape \(shape) is empty")
        let out = TensorStorage(count: outer * inner)
        for o in 0..<outer {
            for i in 0..<inner {
                var best = 0
                var bestValue = storage.data[o * n * inner + i]
                for k in 1..<n where storage.data[(o * n + k) * inner + i] > bestValue {
                    best = k
                    bestValue = storage.data[(o * n + k) * inner + i]
                }
                out.data[o * inner + i] = Float(best)
            }
        }
        var outShape = shape
        outShape.remove(at: a)
        return Tensor(storage: out, shape: outShape)
    }

    /// Repeats size-1 dimensions (and adds leading ones) to reach `shape`, NumPy style.
    public func expanded(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let full = broadcastShapes(shape, target, op: "expanded")
        shapeCheck(full == target, "expanded: shape \(shape) cannot be expanded to \(target)")
        let out = TensorStorage(count: elementCount(target))
        stridedCopy(shape: target, src: storage.data, srcStrides: broadcastStrides(shape, to: target),
                    dst: out.data, dstStrides: contiguousStrides(target))
        let inShape = shape
        return Tensor.record("expand", out, shape: target, inputs: [self]) { g, _ in [g.sum(toShape: inShape)] }
    }

    /// Sums a broadcast result back to `target`, the adjoint of ``expanded(to:)``.
    public func sum(toShape target: [Int]) -> Tensor {
        if target == shape { return self }
        let lead = rank - target.count
        shapeCheck(lead >= 0, "sum(toShape:): shape \(shape) cannot be reduced to \(target)")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() {
            if d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
            else { shapeCheck(d == shape[lead + i], "sum(toShape:): shape \(shape) cannot be reduced to \(target)") }
        }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }
}
