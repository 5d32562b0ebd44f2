/// Indexing by integer positions, as two pairs of primitives that are each other's adjoint:
/// slices along an axis (select and add back) and single elements (a flat gather and scatter-add).
extension Tensor {
    /// `out[i] = self.flat[indices[i]]`, shaped `outShape`.
    func gatherFlat(_ indices: [Int32], outShape: [Int]) -> Tensor {
        let out = TensorStorage(count: indices.count)
        let src = storage.data
        indices.withUnsafeBufferPointer { idx in
            for i in 0..<idx.count { out.data[i] = src[Int(idx[i])] }
        }
        let inShape = shape
        return Tensor.record("gather", out, shape: outShape, inputs: [self]) { g, _ in
            [g.scatterAddFlat(indices, outShape: inShape)]
        }
    }

    /// A zero tensor of `outShape` with `self.flat[i]` added at `indices[i]`.
    func scatterAddFlat(_ indices: [Int32], outShape: [Int]) -> Tensor {
        let out = TensorStorage(count: elementCount(outShape), repeating: 0)
        let src = storage.data
        indices.withUnsafeBufferPointer { idx in
            for i in 0..<idx.count { out.data[Int(idx[i])] += src[i] }
        }
        let inShape = shape
        return Tensor.record("scatterAdd", out, shape: outShape, inputs: [self]) { g, _ in
            [g.gatherFlat(indices, outShape: inShape)]
        }
    }

    /// The slices at `indices` along `axis`, in that order (repeats allowed), like `torch.index_select`.
    ///
    /// Its derivative adds the gradient's slices back at `indices` (`indexAdded(axis:indices:size:)`),
    /// so the graph keeps only `indices`, not one position per output element.
    public func indexSelect(axis: Int, indices: [Int]) -> Tensor {
        let a = normalizeAxis(axis, rank: rank, op: "indexSelect")
        let n = shape[a]
        for i in indices {
            shapeCheck(i >= 0 && i < n, "indexSelect: index \(i) is out of range for axis \(axis) of shape \(shape)")
        }
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape[a] = indices.count
        let out = TensorStorage(count: elementCount(outShape))
        let src = storage.data, dst = out.data
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                (dst + (o * indices.count + j) * inner).update(from: src + (o * n + i) * inner, count: inner)
            }
        }
        return Tensor.record("indexSelect", out, shape: outShape, inputs: [self]) { g, _ in
            [g.indexAdded(axis: a, indices: indices, size: n)]
        }
    }

    /// The adjoint of ``indexSelect(axis:indices:)``: a zero tensor with `size` slices along `axis`,
    /// to which slice `j` of `self` is added at position `indices[j]` (repeats accumulate), like
    /// `torch.index_add` into zeros.
    func indexAdded(axis a: Int, indices: [Int], size n: Int) -> Tensor {
        let outer = shape[..<a].reduce(1, *), inner = shape[(a + 1)...].reduce(1, *)
        var outShape = shape
        outShape[a] = n
        let out = TensorStorage(count: elementCount(outShape), repeating: 0)
        let src = storage.data, dst = out.data
        for o in 0..<outer {
            for (j, i) in indices.enumerated() {
                let from = src + (o * indices.count + j) * inner, to = dst + (o * n + i) * inner
                for k in 0..<inner { to[k] += from[k] }
            }
        }
        return Tensor.record("indexAdd", out, shape: outShape, inputs: [self]) { g, _ in
            [g.indexSelect(axis: a, indices: indices)]
        }
    }

    /// Picks, along `axis`, the element whose position `indices` gives, like `torch.gather`:
    /// `out[i][j] = self[indices[i][j]][j]` for `axis` 0. `indices` holds integral values and has
    /// the rank of `self`; the output has its shape.
    public func gather(axis: Int, indices: Tensor) -> Tensor {
        let a = normalizeAxis(axis, rank: rank, op: "gather")
        shapeCheck(indices.rank == rank && (0..<rank).allSatisfy { $0 == a || indices.shape[$0] <= shape[$0] },
                   "gather: indices of shape \(indices.shape) do not fit input of shape \(shape) along axis \(axis)")
        let strides = contiguousStrides(shape)
        let idxStrides = contiguousStrides(indices.shape)
        var flat = [Int32](repeating: 0, count: indices.count)
        for i in 0..<indices.count {
            var rem = i, offset = 0
            for d in 0..<rank {
                let coord = rem / idxStrides[d]
                rem %= idxStrides[d]
                if d == a {
                    let v = indices.storage.data[i]
                    let k = Int(v)
                    shapeCheck(Float(k) == v && k >= 0 && k < shape[a],
                               "gather: index \(v) is out of range for axis \(axis) of shape \(shape)")
                    offset += k * strides[d]
                } else {
                    offset += coord * strides[d]
                }
            }
            flat[i] = Int32(offset)
        }
        return gatherFlat(flat, outShape: indices.shape)
    }
}
