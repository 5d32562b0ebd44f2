/// Slices, padding, concatenation and splitting. A slice and zero padding are each other's
/// adjoint, so each is the other's derivative.
extension Tensor {
    /// The elements in `ranges`, one range per leading axis (missing trailing axes are taken whole).
    public func sliced(_ ranges: [Range<Int>]) -> Tensor {
        shapeCheck(ranges.count <= rank, "sliced: \(ranges.count) ranges for a tensor of shape \(shape)")
        let full = (0..<rank).map { $0 < ranges.count ? ranges[$0] : 0..<shape[$0] }
        for (i, r) in full.enumerated() {
            shapeCheck(r.lowerBound >= 0 && r.upperBound <= shape[i],
                       "sliced: range \(r) is out of bounds for axis \(i) of shape \(shape)")
        }
        if full.enumerated().allSatisfy({ $0.element == 0..<shape[$0.offset] }) { return self }
        let outShape = full.map(\.count)
        let strides = contiguousStrides(shape)
        let offset = zip(full, strides).map { $0.lowerBound * $1 }.reduce(0, +)
        let out = TensorStorage(count: elementCount(outShape))
        stridedCopy(shape: outShape, src: storage.data + offset, srcStrides: strides,
                    dst: out.data, dstStrides: contiguousStrides(outShape))
        let inShape = shape
        return Tensor.record("slice", out, shape: outShape, inputs: [self]) { g, _ in
            [g.padded(zip(full, inShape).map { ($0.lowerBound, $1 - $0.upperBound) })]
        }
    }

    /// The elements at `range` along `axis`.
    public func sliced(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = normalizeAxis(axis, rank: rank, op: "sliced")
        return sliced((0...a).map { $0 == a ? range : 0..<shape[$0] })
    }

    /// Pads every axis with `(before, after)` elements of `value`; `padding` has one pair per
    /// leading axis (missing trailing axes are not padded).
    public func padded(_ padding: [(Int, Int)], value: Float = 0) -> Tensor {
        shapeCheck(padding.count <= rank, "padded: \(padding.count) padding pairs for a tensor of shape \(shape)")
        let pads = (0..<rank).map { $0 < padding.count ? padding[$0] : (0, 0) }
        shapeCheck(pads.allSatisfy { $0.0 >= 0 && $0.1 >= 0 }, "padded: negative padding \(padding)")
        if pads.allSatisfy({ $0 == (0, 0) }) { return self }
        let outShape = zip(shape, pads).map { $0 + $1.0 + $1.1 }
        let out = TensorStorage(count: elementCount(outShape), repeating: value)
        let outStrides = contiguousStrides(outShape)
        let offset = zip(pads, outStrides).map { $0.0 * $1 }.reduce(0, +)
        stridedCopy(shape: shape, src: storage.data, srcStrides: contiguousStrides(shape),
                    dst: out.data + offset, dstStrides: outStrides)
        let inShape = shape
        return Tensor.record("pad", out, shape: outShape, inputs: [self]) { g, _ in
            [g.sliced(zip(pads, inShape).map { $0.0..<($0.0 + $1) })]
        }
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        shapeCheck(!tensors.isEmpty, "concat: no tensors to join")
        let first = tensors[0]
        let a = normalizeAxis(axis, rank: first.rank, op: "concat")
        for t in tensors {
            shapeCheck(t.rank == first.rank && (0..<first.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                       "concat: shapes \(first.shape) and \(t.shape) differ outside axis \(axis)")
        }
        if tensors.count == 1 { return first }
        var outShape = first.shape
        outShape[a] = tensors.map { $0.shape[a] }.reduce(0, +)
        let out = TensorStorage(count: elementCount(outShape))
        let outStrides = contiguousStrides(outShape)
        var start = 0
        var ranges: [Range<Int>] = []
        for t in tensors {
            stridedCopy(shape: t.shape, src: t.storage.data, srcStrides: contiguousStrides(t.shape),
                        dst: out.data + start * outStrides[a], dstStrides: outStrides)
            ranges.append(start..<(start + t.shape[a]))
            start += t.shape[a]
        }
        let needsGrad = tensors.map(\.requiresGrad)  // not the tensors: the graph must not keep them
        return record("concat", out, shape: outShape, inputs: tensors) { g, _ in
            zip(needsGrad, ranges).map { needed, r in needed ? g.sliced(axis: a, r) : nil }
        }
    }

    /// Splits along `axis` into pieces of the given sizes, which must add up to the axis length.
    public func split(sizes: [Int], axis: Int = 0) -> [Tensor] {
        let a = normalizeAxis(axis, rank: rank, op: "split")
        shapeCheck(sizes.reduce(0, +) == shape[a] && sizes.allSatisfy { $0 >= 0 },
                   "split: sizes \(sizes) do not add up to \(shape[a]), axis \(axis) of shape \(shape)")
        var start = 0
        return sizes.map { n in
            defer { start += n }
            return sliced(axis: a, start..<(start + n))
        }
    }

    /// Splits along `axis` into `chunks` pieces of equal size (the last may be smaller), like `torch.chunk`.
    public func chunked(_ chunks: Int, axis: Int = 0) -> [Tensor] {
        let a = normalizeAxis(axis, rank: rank, op: "chunked")
        shapeCheck(chunks > 0, "chunked: chunk count must be positive, got \(chunks)")
        let size = (shape[a] + chunks - 1) / chunks
        var sizes: [Int] = []
        var left = shape[a]
        while left > 0 { sizes.append(Swift.min(size, left)); left -= size }
        return split(sizes: sizes, axis: a)
    }
}
