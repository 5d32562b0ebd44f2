import CMirageKernels

/// Element-wise loops over contiguous buffers, split across the thread pool when large. Each
/// chunk is one call into the C kernels (CMirageKernels), whose loops are compiled for the
/// CPU's instruction set; Swift walks the chunks and, for broadcasts, the rows.

/// Elements below which a loop stays on one thread: waking the second thread costs a few
/// microseconds, about what one core takes to stream this much.
let elementwiseGrain = 1 << 15

/// `out[i] = f(x[i])`.
func mapKernel(_ x: TensorStorage, _ f: UnaryFunction) -> TensorStorage {
    let out = TensorStorage(count: x.count)
    let src = x.data, dst = out.data
    parallelChunks(x.count, grain: elementwiseGrain) { r in
        mirage_unary(f.function, f.a, f.b, src + r.lowerBound, dst + r.lowerBound, r.count)
    }
    return out
}

/// `out[i] = f(x[i], y[i])` for equal-sized buffers.
func zipKernel(_ x: TensorStorage, _ y: TensorStorage, _ f: BinaryFunction) -> TensorStorage {
    let out = TensorStorage(count: x.count)
    let a = x.data, b = y.data, dst = out.data
    parallelChunks(x.count, grain: elementwiseGrain) { r in
        mirage_binary(f.function, f.a, a + r.lowerBound, 1, b + r.lowerBound, 1, dst + r.lowerBound, r.count)
    }
    return out
}

/// `out[i] = c[i] ≠ 0 ? y[i] : z[i]` for equal-sized buffers.
func selectKernel(_ c: TensorStorage, _ y: TensorStorage, _ z: TensorStorage) -> TensorStorage {
    let out = TensorStorage(count: c.count)
    let pc = c.data, py = y.data, pz = z.data, dst = out.data
    parallelChunks(c.count, grain: elementwiseGrain) { r in
        let i = r.lowerBound
        mirage_select(pc + i, py + i, pz + i, dst + i, r.count)
    }
    return out
}

/// Strides (in elements) of `shape` read as if broadcast to `outShape`: zero along broadcast dims.
func broadcastStrides(_ shape: [Int], to outShape: [Int]) -> [Int] {
    let strides = contiguousStrides(shape)
    let offset = outShape.count - shape.count
    return (0..<outShape.count).map { i in
        i < offset || shape[i - offset] == 1 ? 0 : strides[i - offset]
    }
}

/// Merges adjacent dimensions that every operand walks contiguously, so that broadcast loops run
/// long inner loops (a `[1, C, 1, 1]` bias over `[N, C, H, W]` becomes `[N, C, H·W]`).
func coalesce(_ shape: [Int], _ strides: [[Int]]) -> ([Int], [[Int]]) {
    var outShape: [Int] = []
    var outStrides = strides.map { _ in [Int]() }
    for d in 0..<shape.count where shape[d] != 1 || shape.count == 1 {
        if let last = outShape.indices.last,
           strides.indices.allSatisfy({ outStrides[$0][last] == strides[$0][d] * shape[d] }) {
            outShape[last] *= shape[d]
            for k in strides.indices { outStrides[k][last] = strides[k][d] }
        } else {
            outShape.append(shape[d])
            for k in strides.indices { outStrides[k].append(strides[k][d]) }
        }
    }
    if outShape.isEmpty { return ([1], strides.map { _ in [0] }) }
    return (outShape, outStrides)
}

/// The rows of a strided walk: a coalesced shape split into an inner dimension, walked by the
/// kernels' own loops, and outer dimensions, walked row by row like an odometer while keeping
/// each operand's element offset. Broadcasts, strided copies and reductions all walk this way.
struct StridedRows {
    /// Length of the inner dimension.
    let inner: Int
    /// Each operand's stride along the inner dimension.
    let innerStrides: [Int]
    /// Number of rows (the product of the outer dimensions).
    let count: Int
    private let outer: [Int]
    private let outerStrides: [[Int]]

    /// - Parameters:
    ///   - shape: The shape walked.
    ///   - strides: Each operand's strides over `shape`, in elements.
    init(shape: [Int], strides: [[Int]]) {
        let (cshape, cstrides) = coalesce(shape, strides)
        inner = cshape[cshape.count - 1]
        innerStrides = cstrides.map { $0[cshape.count - 1] }
        outer = Array(cshape.dropLast())
        outerStrides = cstrides.map { Array($0.dropLast()) }
        count = elementCount(shape) / Swift.max(inner, 1)
    }

    /// Calls `body(offsets)` with each operand's element offset for every row in `rows`, in order.
    @inline(__always)
    func forEach(_ rows: Range<Int>, _ body: (_ offsets: UnsafeMutableBufferPointer<Int>) -> Void) {
        let operands = outerStrides.count
        withUnsafeTemporaryAllocation(of: Int.self, capacity: outer.count + operands) { buffer in
            let index = UnsafeMutableBufferPointer(rebasing: buffer[0..<outer.count])
            let offsets = UnsafeMutableBufferPointer(rebasing: buffer[outer.count...])
            var rem = rows.lowerBound
            for d in stride(from: outer.count - 1, through: 0, by: -1) {
                index[d] = rem % outer[d]
                rem /= outer[d]
            }
            for k in 0..<operands {
                var off = 0
                for d in 0..<outer.count { off += index[d] * outerStrides[k][d] }
                offsets[k] = off
            }
            for _ in rows {
                body(offsets)
                var d = outer.count - 1
                while d >= 0 {
                    index[d] += 1
                    for k in 0..<operands { offsets[k] += outerStrides[k][d] }
                    if index[d] < outer[d] { break }
                    for k in 0..<operands { offsets[k] -= outerStrides[k][d] * outer[d] }
                    index[d] = 0
                    d -= 1
                }
            }
        }
    }
}

/// `out = f(a, b)` with NumPy broadcasting to `outShape`.
func broadcastKernel(_ a: Tensor, _ b: Tensor, outShape: [Int], _ f: BinaryFunction) -> TensorStorage {
    if a.shape == b.shape { return zipKernel(a.storage, b.storage, f) }
    let out = TensorStorage(count: elementCount(outShape))
    let pa = a.storage.data, pb = b.storage.data, dst = out.data
    if b.count == 1 && a.count == out.count {
        parallelChunks(out.count, grain: elementwiseGrain) { r in
            mirage_binary(f.function, f.a, pa + r.lowerBound, 1, pb, 0, dst + r.lowerBound, r.count)
        }
        return out
    }
    if a.count == 1 && b.count == out.count {
        parallelChunks(out.count, grain: elementwiseGrain) { r in
            mirage_binary(f.function, f.a, pa, 0, pb + r.lowerBound, 1, dst + r.lowerBound, r.count)
        }
        return out
    }
    let rows = StridedRows(shape: outShape, strides: [broadcastStrides(a.shape, to: outShape),
                                                      broadcastStrides(b.shape, to: outShape)])
    let inner = rows.inner, sa = rows.innerStrides[0], sb = rows.innerStrides[1]
    parallelChunks(rows.count, grain: Swift.max(1, elementwiseGrain / Swift.max(inner, 1))) { range in
        var row = range.lowerBound
        rows.forEach(range) { offsets in
            mirage_binary(f.function, f.a, pa + offsets[0], sa, pb + offsets[1], sb, dst + row * inner, inner)
            row += 1
        }
    }
    return out
}

/// Copies elements walking `shape` in row-major order, reading `src` and writing `dst` with the
/// given strides (in elements). Permutes, expands, slices, pads and concatenations are all this loop.
func stridedCopy(shape: [Int], src: UnsafePointer<Float>, srcStrides: [Int],
                 dst: UnsafeMutablePointer<Float>, dstStrides: [Int]) {
    if elementCount(shape) == 0 { return }
    let rows = StridedRows(shape: shape, strides: [srcStrides, dstStrides])
    let inner = rows.inner, ss = rows.innerStrides[0], ds = rows.innerStrides[1]
    parallelChunks(rows.count, grain: Swift.max(1, elementwiseGrain / Swift.max(inner, 1))) { range in
        rows.forEach(range) { offsets in
            let s = src + offsets[0], o = dst + offsets[1]
            if ss == 1 && ds == 1 {
                o.update(from: s, count: inner)
            } else if ss == 0 && ds == 1 {
                o.update(repeating: s[0], count: inner)
            } else {
                for i in 0..<inner { o[i * ds] = s[i * ss] }
            }
        }
    }
}
