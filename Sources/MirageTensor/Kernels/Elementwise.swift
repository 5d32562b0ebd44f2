/// Element-wise loops over contiguous buffers. Closures passed here are inlined into the loops in
/// optimised builds, which the compiler then vectorises. These loops run on one thread: one core
/// already streams memory at 60-75 GB/s, and inside a closure handed to a thread pool the
/// element function is no longer inlined, which made the two-thread loop four times slower.

/// `out[i] = f(x[i])`.
@inline(__always)
func mapKernel(_ x: TensorStorage, _ f: (Float) -> Float) -> TensorStorage {
    let out = TensorStorage(count: x.count)
    let src = x.data, dst = out.data
    for i in 0..<x.count { dst[i] = f(src[i]) }
    return out
}

/// `out[i] = f(x[i], y[i])` for equal-sized buffers.
@inline(__always)
func zipKernel(_ x: TensorStorage, _ y: TensorStorage, _ f: (Float, Float) -> Float) -> TensorStorage {
    let out = TensorStorage(count: x.count)
    let a = x.data, b = y.data, dst = out.data
    for i in 0..<x.count { dst[i] = f(a[i], b[i]) }
    return out
}

/// `out[i] = f(x[i], y[i], z[i])` for equal-sized buffers.
@inline(__always)
func zip3Kernel(_ x: TensorStorage, _ y: TensorStorage, _ z: TensorStorage,
                _ f: (Float, Float, Float) -> Float) -> TensorStorage {
    let out = TensorStorage(count: x.count)
    let a = x.data, b = y.data, c = z.data, dst = out.data
    for i in 0..<x.count { dst[i] = f(a[i], b[i], c[i]) }
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

/// `out = f(a, b)` with NumPy broadcasting to `outShape`.
@inline(__always)
func broadcastKernel(_ a: Tensor, _ b: Tensor, outShape: [Int], _ f: (Float, Float) -> Float) -> TensorStorage {
    if a.shape == b.shape { return zipKernel(a.storage, b.storage, f) }
    let out = TensorStorage(count: elementCount(outShape))
    let pa = a.storage.data, pb = b.storage.data, dst = out.data
    if b.count == 1 && a.count == out.count {
        let s = pb[0]
        for i in 0..<out.count { dst[i] = f(pa[i], s) }
        return out
    }
    if a.count == 1 && b.count == out.count {
        let s = pa[0]
        for i in 0..<out.count { dst[i] = f(s, pb[i]) }
        return out
    }
    let (shape, strides) = coalesce(outShape, [broadcastStrides(a.shape, to: outShape),
                                               broadcastStrides(b.shape, to: outShape)])
    let inner = shape[shape.count - 1]
    let sa = strides[0][shape.count - 1], sb = strides[1][shape.count - 1]
    let rows = out.count / max(inner, 1)
    let outer = Array(shape.dropLast())
    let outerA = Array(strides[0].dropLast()), outerB = Array(strides[1].dropLast())
    do {
        // Walk the outer index like an odometer, keeping both operands' offsets.
        var index = [Int](repeating: 0, count: outer.count)
        var offA = 0, offB = 0
        for row in 0..<rows {
            let o = dst + row * inner
            let x = pa + offA, y = pb + offB
            switch (sa, sb) {
            case (1, 1): for i in 0..<inner { o[i] = f(x[i], y[i]) }
            case (1, 0): let v = y[0]; for i in 0..<inner { o[i] = f(x[i], v) }
            case (0, 1): let v = x[0]; for i in 0..<inner { o[i] = f(v, y[i]) }
            default: for i in 0..<inner { o[i] = f(x[i * sa], y[i * sb]) }
            }
            var d = outer.count - 1
            while d >= 0 {
                index[d] += 1
                offA += outerA[d]
                offB += outerB[d]
                if index[d] < outer[d] { break }
                offA -= outerA[d] * outer[d]
                offB -= outerB[d] * outer[d]
                index[d] = 0
                d -= 1
            }
        }
    }
    return out
}

/// Copies elements walking `shape` in row-major order, reading `src` and writing `dst` with the
/// given strides (in elements). Permutes, expands, slices, pads and concatenations are all this loop.
func stridedCopy(shape: [Int], src: UnsafePointer<Float>, srcStrides: [Int],
                 dst: UnsafeMutablePointer<Float>, dstStrides: [Int]) {
    let total = elementCount(shape)
    if total == 0 { return }
    let (cshape, cstrides) = coalesce(shape, [srcStrides, dstStrides])
    let inner = cshape[cshape.count - 1]
    let ss = cstrides[0][cshape.count - 1], ds = cstrides[1][cshape.count - 1]
    let outer = Array(cshape.dropLast())
    let outerS = Array(cstrides[0].dropLast()), outerD = Array(cstrides[1].dropLast())
    let rows = total / inner
    parallelChunks(rows, grain: max(1, (1 << 16) / inner)) { r in
        var index = [Int](repeating: 0, count: outer.count)
        var rem = r.lowerBound
        for d in stride(from: outer.count - 1, through: 0, by: -1) {
            index[d] = rem % outer[d]
            rem /= outer[d]
        }
        var offS = 0, offD = 0
        for d in 0..<outer.count {
            offS += index[d] * outerS[d]
            offD += index[d] * outerD[d]
        }
        for _ in r {
            let s = src + offS, o = dst + offD
            if ss == 1 && ds == 1 {
                o.update(from: s, count: inner)
            } else if ss == 0 && ds == 1 {
                o.update(repeating: s[0], count: inner)
            } else {
                for i in 0..<inner { o[i * ds] = s[i * ss] }
            }
            var d = outer.count - 1
            while d >= 0 {
                index[d] += 1
                offS += outerS[d]
                offD += outerD[d]
                if index[d] < outer[d] { break }
                offS -= outerS[d] * outer[d]
                offD -= outerD[d] * outer[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}
