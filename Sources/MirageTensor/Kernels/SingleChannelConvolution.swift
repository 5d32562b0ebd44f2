import CMirageKernels

/// Convolutions with one output channel, computed directly. oneDNN's direct kernels pad the
/// channel to a block of 16 and ran the DDPM U-Net's last convolution (64 → 1, 3×3) at about
/// 12 GFLOP/s, plus three reorders of its 64-channel input per step; these loops read and write
/// plain NCHW, and their rows run on the C kernels (CMirageKernels), vectorised along image rows.

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

/// One kernel offset (i, j) of a convolution: the output rows and columns it reaches with its
/// input inside the image, and where in an input plane the row of output row `r` starts.
private struct Tap {
    /// Index of the offset in a `kh × kw` filter, `i·kw + j`.
    let index: Int
    let rows: Range<Int>
    let columns: Range<Int>
    /// Input offset of output row 0, column 0: `(i − padH)·W − padW + j`.
    let base: Int
    /// Elements between the input rows of consecutive output rows: `strideH·W`.
    let rowStep: Int

    /// Offset in the input plane of the element under output (`row`, 0).
    @inline(__always) func inputOffset(row: Int) -> Int { row * rowStep + base }

    static func all(_ g: ConvGeometry) -> [Tap] {
        (0..<g.kernelHeight).flatMap { i in
            (0..<g.kernelWidth).map { j in
                Tap(index: i * g.kernelWidth + j,
                    rows: validOutputs(kernelOffset: i, stride: g.strideH, pad: g.padH, inputSize: g.inHeight, outputSize: g.outHeight),
                    columns: validOutputs(kernelOffset: j, stride: g.strideW, pad: g.padW, inputSize: g.inWidth, outputSize: g.outWidth),
                    base: (i - g.padH) * g.inWidth - g.padW + j, rowStep: g.strideH * g.inWidth)
            }
        }
    }
}

/// Runs one pass of a convolution with `outChannels == 1` and one group, operands as in
/// ``KernelBackend/convolution(_:_:_:_:output:)``.
func singleOutputChannelConvolution(_ pass: ConvPass, _ g: ConvGeometry, _ first: UnsafePointer<Float>,
                                    _ second: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
    precondition(g.outChannels == 1 && g.groups == 1, "singleOutputChannelConvolution: geometry \(g) has \(g.outChannels) output channels")
    let c = g.inChannels, ow = g.outWidth, sw = g.strideW
    let inPlane = g.inHeight * g.inWidth, outPlane = g.outHeight * ow, filter = g.kernelHeight * g.kernelWidth
    let taps = Tap.all(g)
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
                    for tap in taps {
                        let wv = weight[ch * filter + tap.index], cols = tap.columns
                        if cols.isEmpty || tap.rows.isEmpty { continue }
                        let r = tap.rows.lowerBound
                        mirage_axpy(wv, xc + tap.inputOffset(row: r) + cols.lowerBound * sw, sw, tap.rowStep,
                                    y + r * ow + cols.lowerBound, 1, ow, cols.count, tap.rows.count)
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
                    for tap in taps {
                        let wv = weight[ch * filter + tap.index], cols = tap.columns
                        if cols.isEmpty || tap.rows.isEmpty { continue }
                        let r = tap.rows.lowerBound
                        mirage_axpy(wv, dyn + r * ow + cols.lowerBound, 1, ow,
                                    dx + tap.inputOffset(row: r) + cols.lowerBound * sw, sw, tap.rowStep,
                                    cols.count, tap.rows.count)
                    }
                }
            }
        }
    case .backwardWeights:
        // first: input [N, C, H, W]; second: output gradient [N, 1, OH, OW]; output: weight gradient [1, C, kh, kw].
        let (x, dy) = (first, second)
        parallelChunks(c, grain: 1) { channels in
            for ch in channels {
                for tap in taps {
                    let cols = tap.columns
                    var total: Float = 0
                    if !cols.isEmpty && !tap.rows.isEmpty {
                        let r = tap.rows.lowerBound
                        for n in 0..<g.batch {
                            let xc = x + (n * c + ch) * inPlane, dyn = dy + n * outPlane
                            mirage_dot(dyn + r * ow + cols.lowerBound, ow, xc + tap.inputOffset(row: r) + cols.lowerBound * sw,
                                       sw, tap.rowStep, cols.count, tap.rows.count, &total)
                        }
                    }
                    output[ch * filter + tap.index] = total
                }
            }
        }
    }
}

/// The input gradient of a convolution with one input channel and one group (the transposed
/// convolution that maps feature maps to a one-channel image: a generator's last layer, a
/// critic's gradient with respect to its input). oneDNN ran it at about 12 GFLOP/s.
///
/// With stride s, the input positions a kernel offset reaches all share one phase modulo s, so
/// the gradient is accumulated in s×s dense phase planes with contiguous, vectorised row updates
/// and interleaved into the image at the end.
func singleInputChannelBackwardData(_ g: ConvGeometry, outputGradient dy: UnsafePointer<Float>,
                                    weight: UnsafePointer<Float>, inputGradient dx: UnsafeMutablePointer<Float>) {
    precondition(g.inChannels == 1 && g.groups == 1, "singleInputChannelBackwardData: geometry \(g) has \(g.inChannels) input channels")
    let (h, w, oc) = (g.inHeight, g.inWidth, g.outChannels)
    let (oh, ow, kh, kw) = (g.outHeight, g.outWidth, g.kernelHeight, g.kernelWidth)
    let (sh, sw, ph, pw) = (g.strideH, g.strideW, g.padH, g.padW)
    let outPlane = oh * ow
    // Phase plane (a, b) holds dx[a + sh·i, b + sw·j]: ⌈(h − a)/sh⌉ × ⌈(w − b)/sw⌉ values.
    let planeH = (h + sh - 1) / sh, planeW = (w + sw - 1) / sw
    parallelChunks(g.batch, grain: 1) { samples in
        let plane = UnsafeMutablePointer<Float>.allocate(capacity: planeH * planeW)
        let tapWeights = UnsafeMutablePointer<Float>.allocate(capacity: oc)
        defer { plane.deallocate(); tapWeights.deallocate() }
        for n in samples {
            let dyn = dy + n * oc * outPlane, dxn = dx + n * h * w
            for a in 0..<Swift.min(sh, h) {
                for b in 0..<Swift.min(sw, w) {
                    let rowsHere = (h - a + sh - 1) / sh, colsHere = (w - b + sw - 1) / sw
                    plane.update(repeating: 0, count: planeH * planeW)
                    // Kernel rows i with i − ph ≡ a (mod sh) reach this phase, shifted by di = (i − ph − a)/sh.
                    for i in 0..<kh where ((i - ph - a) % sh + sh) % sh == 0 {
                        let di = (i - ph - a) / sh
                        let rows = Swift.max(0, -di)..<Swift.min(oh, rowsHere - di)
                        if rows.isEmpty { continue }
                        for j in 0..<kw where ((j - pw - b) % sw + sw) % sw == 0 {
                            let dj = (j - pw - b) / sw
                            let cols = Swift.max(0, -dj)..<Swift.min(ow, colsHere - dj)
                            if cols.isEmpty { continue }
                            // Gather this tap's weights over output channels; each row then keeps its
                            // columns in vector registers while all channels accumulate into them.
                            for o in 0..<oc { tapWeights[o] = weight[(o * kh + i) * kw + j] }
                            for r in rows {
                                mirage_accumulate_channels(plane + (r + di) * planeW + dj + cols.lowerBound,
                                                           dyn + r * ow + cols.lowerBound, outPlane,
                                                           tapWeights, oc, cols.count)
                            }
                        }
                    }
                    for r in 0..<rowsHere {
                        let dst = dxn + (a + r * sh) * w + b, src = plane + r * planeW
                        for col in 0..<colsHere { dst[col * sw] = src[col] }
                    }
                }
            }
        }
    }
}
