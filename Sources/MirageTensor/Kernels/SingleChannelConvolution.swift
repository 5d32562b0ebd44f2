/// Convolutions with one output channel, computed directly. oneDNN's direct kernels pad the
/// channel to a block of 16 and ran the DDPM U-Net's last convolution (64 → 1, 3×3) at about
/// 12 GFLOP/s, plus three reorders of its 64-channel input per step; these loops read and write
/// plain NCHW and vectorise along image rows.

/// The rows of a tap: for kernel offset `k`, the outputs `o` whose input `o·stride − pad + k`
/// lies inside `0..<size`.
@inline(__always)
private func validOutputs(kernelOffset k: Int, stride s: Int, pad p: Int, inputSize: Int, outputSize: Int) -> Range<Int> {
    // o·s − p + k ≥ 0  ⇔  o ≥ ⌈(p − k)/s⌉;   o·s − p + k ≤ inputSize − 1  ⇔  o ≤ ⌊(inputSize − 1 + p − k)/s⌋.
    let lowNumerator = p - k
    let low = lowNumerator <= 0 ? 0 : (lowNumerator + s - 1) / s
    let highNumerator = inputSize - 1 + p - k
    if highNumerator < 0 { return 0..<0 }
    let high = Swift.min(outputSize - 1, highNumerator / s)
    return low <= high ? low..<(high + 1) : 0..<0
}

/// Σ a[i]·b[i·stride] in vector lanes when `stride` is 1.
@inline(__always)
private func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, stride: Int) -> Float {
    if stride != 1 {
        var s: Float = 0
        for i in 0..<count { s += a[i] * b[i * stride] }
        return s
    }
    var lanes = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        lanes += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        i += 8
    }
    var s = lanes.sum()
    while i < count { s += a[i] * b[i]; i += 1 }
    return s
}

/// Runs one pass of a convolution with `outChannels == 1` and one group, operands as in
/// ``KernelBackend/convolution(_:_:_:_:output:)``.
func singleOutputChannelConvolution(_ pass: ConvPass, _ g: ConvGeometry, _ first: UnsafePointer<Float>,
                                    _ second: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
    precondition(g.outChannels == 1 && g.groups == 1, "singleOutputChannelConvolution: geometry \(g) has \(g.outChannels) output channels")
    let (c, h, w) = (g.inChannels, g.inHeight, g.inWidth)
    let (oh, ow, kh, kw) = (g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth)
    let (sh, sw, ph, pw) = (g.strideH, g.strideW, g.padH, g.padW)
    let inPlane = h * w, outPlane = oh * ow
    let taps = (0..<kh).flatMap { i in (0..<kw).map { j in (i, j) } }
    switch pass {
    case .forward:
        // first: input [N, C, H, W]; second: weight [1, C, kh, kw]; output [N, 1, OH, OW].
        let (x, weight) = (first, second)
        parallelChunks(g.batch, grain: 1) { samples in
            for n in samples {
                let y = output + n * outPlane
                y.update(repeating: 0, count: outPlane)
                for ch in 0..<c {
                    let xc = x + (n * c + ch) * inPlane
                    for (i, j) in taps {
                        let wv = weight[(ch * kh + i) * kw + j]
                        let cols = validOutputs(kernelOffset: j, stride: sw, pad: pw, inputSize: w, outputSize: ow)
                        for r in validOutputs(kernelOffset: i, stride: sh, pad: ph, inputSize: h, outputSize: oh) {
                            let yr = y + r * ow, xr = xc + (r * sh - ph + i) * w - pw + j
                            for col in cols { yr[col] += wv * xr[col * sw] }
                        }
                    }
                }
            }
        }
    case .backwardData:
        // first: output gradient [N, 1, OH, OW]; second: weight [1, C, kh, kw]; output: input gradient [N, C, H, W].
        let (dy, weight) = (first, second)
        parallelChunks(g.batch, grain: 1) { samples in
            for n in samples {
                let dyn = dy + n * outPlane
                for ch in 0..<c {
                    let dx = output + (n * c + ch) * inPlane
                    dx.update(repeating: 0, count: inPlane)
                    for (i, j) in taps {
                        let wv = weight[(ch * kh + i) * kw + j]
                        let cols = validOutputs(kernelOffset: j, stride: sw, pad: pw, inputSize: w, outputSize: ow)
                        for r in validOutputs(kernelOffset: i, stride: sh, pad: ph, inputSize: h, outputSize: oh) {
                            let dyr = dyn + r * ow, dxr = dx + (r * sh - ph + i) * w - pw + j
                            for col in cols { dxr[col * sw] += wv * dyr[col] }
                        }
                    }
                }
            }
        }
    case .backwardWeights:
        // first: input [N, C, H, W]; second: output gradient [N, 1, OH, OW]; output: weight gradient [1, C, kh, kw].
        let (x, dy) = (first, second)
        parallelChunks(c, grain: 1) { channels in
            for ch in channels {
                for (i, j) in taps {
                    let cols = validOutputs(kernelOffset: j, stride: sw, pad: pw, inputSize: w, outputSize: ow)
                    let rows = validOutputs(kernelOffset: i, stride: sh, pad: ph, inputSize: h, outputSize: oh)
                    var total: Float = 0
                    if !cols.isEmpty {
                        for n in 0..<g.batch {
                            let xc = x + (n * c + ch) * inPlane, dyn = dy + n * outPlane
                            for r in rows {
                                let xr = xc + (r * sh - ph + i) * w - pw + j + cols.lowerBound * sw
                                total += dot(dyn + r * ow + cols.lowerBound, xr, count: cols.count, stride: sw)
                            }
                        }
                    }
                    output[(ch * kh + i) * kw + j] = total
                }
            }
        }
    }
}
