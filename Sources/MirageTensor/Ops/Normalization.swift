import CMirageKernels

/// Batch and group normalisation as single ops with hand-written kernels. Composed from
/// primitives they took ten passes over the activations forward and more backward; here the
/// forward pass reads the input twice and writes once, and so does the backward pass.
///
/// The fused backward kernel runs when gradients are not being recorded. Under
/// `createGraph: true` the derivative is built from primitives instead (the same formula), so
/// that gradients of gradients stay exact.

/// Which statistics a normalisation shares. The input is viewed as `[N, G, Cg, S]`: `N` samples,
/// `G` groups of `Cg` channels, `S` positions per channel.
struct NormalizationLayout {
    var n: Int, groups: Int, channelsPerGroup: Int, positions: Int
    /// GroupNorm: one mean and variance per sample and group. BatchNorm: one per group (channel),
    /// shared by the whole batch.
    var perSample: Bool

    var channels: Int { groups * channelsPerGroup }
    var statCount: Int { perSample ? n * groups : groups }
    /// Values behind each statistic.
    var reduced: Int { (perSample ? 1 : n) * channelsPerGroup * positions }
    /// The statistic of sample `i`, channel `c`.
    @inline(__always) func stat(_ i: Int, _ c: Int) -> Int { (perSample ? i * groups : 0) + c / channelsPerGroup }
    /// The axes the statistics reduce over, in the tensor `[N, C, S…]` (for the composed derivative).
    func statAxes(rank: Int) -> [Int] { perSample ? [2] : [0] + Array(2..<rank) }
}

/// Σx and Σx·y over a row, in vector lanes.
@inline(__always)
private func rowSums(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, _ count: Int) -> (Float, Float) {
    var sx = SIMD8<Float>(), sxy = SIMD8<Float>()
    var i = 0
    while i + 8 <= count {
        let a = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
        let b = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self)
        sx += a
        sxy += a * b
        i += 8
    }
    var tx = sx.sum(), txy = sxy.sum()
    while i < count { tx += x[i]; txy += x[i] * y[i]; i += 1 }
    return (tx, txy)
}

/// Per-statistic mean, biased variance and 1/√(var + eps) of `x`.
private func normalizationStatistics(_ x: UnsafePointer<Float>, _ l: NormalizationLayout, eps: Float)
    -> (mean: [Float], variance: [Float], invStd: [Float]) {
    var sum = [Double](repeating: 0, count: l.statCount), sumSq = sum
    let (c, s) = (l.channels, l.positions)
    if s == 1 && !l.perSample && l.channelsPerGroup == 1 {
        // BatchNorm1d on (N, C): accumulate across the batch, vectorised over channels.
        for i in 0..<l.n {
            let row = x + i * c
            for k in 0..<c {
                let v = Double(row[k])
                sum[k] += v
                sumSq[k] += v * v
            }
        }
    } else {
        // Each channel row's sums on whichever thread, then added per statistic in row order:
        // the same floats for any number of threads.
        let sums = rowResults(l) { r in rowSums(x + r * s, x + r * s, s) }
        for r in 0..<l.n * c {
            let k = l.stat(r / c, r % c)
            sum[k] += Double(sums[r].0)
            sumSq[k] += Double(sums[r].1)
        }
    }
    let m = Double(l.reduced)
    var mean = [Float](repeating: 0, count: l.statCount), variance = mean, invStd = mean
    for k in 0..<l.statCount {
        let mu = sum[k] / m
        let v = Swift.max(sumSq[k] / m - mu * mu, 0)
        mean[k] = Float(mu)
        variance[k] = Float(v)
        invStd[k] = Float(1 / (v + Double(eps)).squareRoot())
    }
    return (mean, variance, invStd)
}

/// Runs `body(row, parameter)` for every channel row `row = sample·C + channel` of `l`, across
/// the thread pool. `parameter` indexes per-row scales and shifts: the row itself for
/// per-sample statistics, else its channel.
private func forEachRow(_ l: NormalizationLayout, _ body: (_ row: Int, _ parameter: Int) -> Void) {
    let c = l.channels, perSample = l.perSample
    parallelChunks(l.n * c, grain: Swift.max(1, elementwiseGrain / Swift.max(l.positions, 1))) { range in
        for r in range { body(r, perSample ? r : r % c) }
    }
}

/// ``forEachRow(_:_:)`` collecting a pair of sums per row, in row order.
private func rowResults(_ l: NormalizationLayout, _ body: (_ row: Int) -> (Float, Float)) -> [(Float, Float)] {
    let rows = l.n * l.channels
    return [(Float, Float)](unsafeUninitializedCapacity: rows) { buffer, initialized in
        let out = buffer.baseAddress!
        forEachRow(l) { r, _ in (out + r).initialize(to: body(r)) }
        initialized = rows
    }
}

/// `out = activation(x·a + b)`, with `a`, `b` per (sample, channel) (`perSample`) or per channel:
/// row by row across the thread pool, or, for rows of one position (`(N, C)` input), one sample
/// at a time over its channels (where callers apply any activation as an op of its own).
private func affineKernel(_ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ a: [Float], _ b: [Float],
                          _ l: NormalizationLayout, _ activation: NormalizationActivation? = nil) {
    let (c, s) = (l.channels, l.positions)
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            if s == 1 {
                precondition(activation == nil, "affineKernel: rows of one position take their activation as an op")
                for i in 0..<l.n {
                    let xi = x + i * c, oi = out + i * c
                    let off = l.perSample ? i * c : 0
                    for k in 0..<c { oi[k] = xi[k] * pa[off + k] + pb[off + k] }
                }
                return
            }
            let (function, slope) = activation?.kernel ?? (.identity, 0)
            forEachRow(l) { r, p in
                mirage_scale_shift_activate(function, slope, x + r * s, pa[p], pb[p], out + r * s, s)
            }
        }
    }
}

extension Tensor {
    /// Normalises with statistics of this tensor over `layout`, then scales and shifts each
    /// channel: `(x − μ)/√(σ² + eps)·weight + bias`. Returns the biased variance too (for running
    /// statistics); mean and variance carry no gradient.
    ///
    /// With an `activation` the output is `activation(…)`, computed in the same pass; rows of one
    /// position (`BatchNorm1d`) apply it as an op of its own.
    func normalized(_ l: NormalizationLayout, weight: Tensor?, bias: Tensor?, eps: Float, op: String,
                    activation: NormalizationActivation? = nil) -> (output: Tensor, mean: [Float], variance: [Float]) {
        if let activation, l.positions == 1 {
            let (y, mean, variance) = normalized(l, weight: weight, bias: bias, eps: eps, op: op)
            return (activation(y), mean, variance)
        }
        let (mean, variance, invStd) = normalizationStatistics(storage.data, l, eps: eps)
        let c = l.channels
        let rows = l.perSample ? l.n : 1
        var scale = [Float](repeating: 0, count: rows * c), shift = scale
        for r in 0..<rows {
            for ch in 0..<c {
                let k = l.stat(r, ch)
                let w = weight.map { $0.storage.data[ch] } ?? 1, b = bias.map { $0.storage.data[ch] } ?? 0
                scale[r * c + ch] = invStd[k] * w
                shift[r * c + ch] = b - mean[k] * invStd[k] * w
            }
        }
        let out = TensorStorage(count: count)
        affineKernel(storage.data, out.data, scale, shift, l, activation)
        let x = self
        let inputs = [x] + [weight, bias].compactMap { $0 }
        let name = activation.map { "\(op) + \($0.name)" } ?? op
        let result = Tensor.record(name, out, shape: shape, inputs: inputs) { g, _ in
            if GradMode.isEnabled {
                return x.composedNormalizationGradients(g, l, weight: weight, bias: bias, eps: eps, activation: activation)
            }
            // The gradient before the activation, from the input and the forward pass's scales.
            var gz = g
            if let activation {
                let (function, slope) = activation.kernel
                let pre = TensorStorage(count: g.count), gp = g.storage.data, xp = x.storage.data, s = l.positions
                scale.withUnsafeBufferPointer { pa in
                    shift.withUnsafeBufferPointer { pb in
                        forEachRow(l) { r, p in
                            mirage_activation_gradient(function, slope, xp + r * s, gp + r * s, pa[p], pb[p], pre.data + r * s, s)
                        }
                    }
                }
                gz = Tensor(storage: pre, shape: g.shape)
            }
            return x.fusedNormalizationGradients(gz, l, weight: weight, bias: bias, mean: mean, invStd: invStd,
                                                 overwritesGradient: activation != nil)
        }
        return (result, mean, variance)
    }

    /// The derivative from primitives, differentiable again (`createGraph`).
    /// With an `activation`, `g` is first taken back through it at the normalised values, which
    /// are recomputed from ops here so that the result is differentiable in the input too.
    private func composedNormalizationGradients(_ g: Tensor, _ l: NormalizationLayout, weight: Tensor?,
                                                bias: Tensor?, eps: Float,
                                                activation: NormalizationActivation? = nil) -> [Tensor?] {
        let grouped = reshaped([l.n, l.groups, l.channelsPerGroup * l.positions])
        let viewShape = l.perSample ? grouped.shape : [l.n, l.channels, l.positions]
        let xv = reshaped(viewShape)
        let axes = l.statAxes(rank: 3)
        let mean = xv.mean(axes: axes, keepDims: true)
        let centered = xv - mean
        let invStd = 1 / ((centered * centered).mean(axes: axes, keepDims: true) + eps).sqrt()
        let xhat = (centered * invStd).reshaped([l.n, l.channels, l.positions])
        var gv0 = g.reshaped([l.n, l.channels, l.positions])
        if let activation {
            var z = xhat
            if let weight { z = z * weight.reshaped([1, l.channels, 1]) }
            if let bias { z = z + bias.reshaped([1, l.channels, 1]) }
            gv0 = activation.composedGradient(gv0, at: z)
        }
        let gw = weight.map { gv0 * $0.reshaped([1, l.channels, 1]) } ?? gv0
        let gwv = gw.reshaped(viewShape), xhatv = xhat.reshaped(viewShape)
        let dx = invStd * (gwv - gwv.mean(axes: axes, keepDims: true)
                           - xhatv * (gwv * xhatv).mean(axes: axes, keepDims: true))
        var grads: [Tensor?] = [requiresGrad ? dx.reshaped(shape) : nil]
        if let weight { grads.append(weight.requiresGrad ? (gv0 * xhat).sum(axes: [0, 2]) : nil) }
        if let bias { grads.append(bias.requiresGrad ? gv0.sum(axes: [0, 2]) : nil) }
        return grads
    }

    /// The derivative in two passes over (x, g): per-row sums, then dx = g·a + x·k₂ + k₃, from
    /// dx = σ⁻¹·(g·w − mean(g·w) − x̂·mean(g·w·x̂)) with x̂ = (x − μ)·σ⁻¹. Both passes run across the
    /// thread pool row by row; the rows' sums are added in row order, so that the result does not
    /// depend on the number of threads. `g` is overwritten with dx when `overwritesGradient`.
    private func fusedNormalizationGradients(_ g: Tensor, _ l: NormalizationLayout, weight: Tensor?,
                                             bias: Tensor?, mean: [Float], invStd: [Float],
                                             overwritesGradient: Bool = false) -> [Tensor?] {
        let (c, s) = (l.channels, l.positions)
        let x = storage.data, gp = g.storage.data
        let w: (Int) -> Float = { ch in weight.map { $0.storage.data[ch] } ?? 1 }
        var sumG = [Double](repeating: 0, count: c), sumGX = sumG          // per channel, for weight and bias
        var statG = [Double](repeating: 0, count: l.statCount), statGX = statG // Σ g·w and Σ g·w·x per statistic
        var sumGXhat = sumG                                                    // Σ g·x̂ per channel, the weight's gradient
        if s == 1 {
            for i in 0..<l.n {
                let xi = x + i * c, gi = gp + i * c
                for ch in 0..<c {
                    let (gv, xv) = (Double(gi[ch]), Double(xi[ch]))
                    sumG[ch] += gv
                    sumGX[ch] += gv * xv
                }
                if l.perSample || l.channelsPerGroup != 1 {
                    for ch in 0..<c {
                        let k = l.stat(i, ch), wc = Double(w(ch))
                        let (gv, gx) = (Double(gi[ch]), Double(gi[ch]) * Double(xi[ch]))
                        statG[k] += wc * gv
                        statGX[k] += wc * gx
                        if l.perSample { sumGXhat[ch] += Double(invStd[k]) * (gx - Double(mean[k]) * gv) }
                    }
                }
            }
        } else {
            let sums = rowResults(l) { r in rowSums(gp + r * s, x + r * s, s) }
            for r in 0..<l.n * c {
                let (i, ch) = (r / c, r % c)
                let (a, b) = (Double(sums[r].0), Double(sums[r].1))
                let k = l.stat(i, ch), wc = Double(w(ch))
                sumG[ch] += a
                sumGX[ch] += b
                statG[k] += wc * a
                statGX[k] += wc * b
                // Per-sample statistics: Σ g·x̂ = Σ_rows invStd·(Σ g·x − μ·Σ g), row by row.
                if l.perSample { sumGXhat[ch] += Double(invStd[k]) * (b - Double(mean[k]) * a) }
            }
        }
        if !l.perSample && l.channelsPerGroup == 1 {
            for ch in 0..<c { statG[ch] = Double(w(ch)) * sumG[ch]; statGX[ch] = Double(w(ch)) * sumGX[ch] }
        }
        if !l.perSample {
            for ch in 0..<c {
                let k = l.stat(0, ch)
                sumGXhat[ch] = Double(invStd[k]) * (sumGX[ch] - Double(mean[k]) * sumG[ch])
            }
        }
        var grads: [Tensor?] = []
        if requiresGrad {
            let m = Double(l.reduced)
            let rows = l.perSample ? l.n : 1
            var a = [Float](repeating: 0, count: rows * c), b = a, k2 = a
            for r in 0..<rows {
                for ch in 0..<c {
                    let k = l.stat(r, ch)
                    let (mu, inv) = (Double(mean[k]), Double(invStd[k]))
                    let sgx = statGX[k] - mu * statG[k]
                    let kk2 = -inv * inv * inv * sgx / m
                    a[r * c + ch] = Float(Double(w(ch)) * inv)
                    k2[r * c + ch] = Float(kk2)
                    b[r * c + ch] = Float(-inv * statG[k] / m - mu * kk2)
                }
            }
            let dx = overwritesGradient ? g.storage : TensorStorage(count: count)
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    k2.withUnsafeBufferPointer { pk in
                        if s == 1 {
                            for i in 0..<l.n {
                                let off = l.perSample ? i * c : 0
                                let (ai, bi, ki) = (pa.baseAddress! + off, pb.baseAddress! + off, pk.baseAddress! + off)
                                let xi = x + i * c, gi = gp + i * c, di = dx.data + i * c
                                for ch in 0..<c { di[ch] = gi[ch] * ai[ch] + xi[ch] * ki[ch] + bi[ch] }
                            }
                        } else {
                            forEachRow(l) { r, p in
                                let (sa, sb, sk) = (pa[p], pb[p], pk[p])
                                let (xr, gr, dr) = (x + r * s, gp + r * s, dx.data + r * s)
                                for q in 0..<s { dr[q] = gr[q] * sa + xr[q] * sk + sb }
                            }
                        }
                    }
                }
            }
            grads.append(Tensor(storage: dx, shape: shape))
        } else {
            grads.append(nil)
        }
        if let weight { grads.append(weight.requiresGrad ? Tensor(sumGXhat.map { Float($0) }) : nil) }
        if let bias { grads.append(bias.requiresGrad ? Tensor(sumG.map { Float($0) }) : nil) }
        return grads
    }

    /// Batch normalisation with this batch's statistics, per channel (axis 1) over the batch and
    /// all positions, like `torch.nn.functional.batch_norm` in training mode.
    ///
    /// - Parameter activation: An activation applied to the output in the same pass (see
    ///   ``NormalizationActivation``), or nil.
    /// - Returns: The output, and the batch mean and biased variance per channel (no gradient),
    ///   for running statistics.
    public func batchNormalized(weight: Tensor?, bias: Tensor?, eps: Float,
                                activation: NormalizationActivation? = nil) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        shapeCheck(rank >= 2, "batchNormalized: input must be (N, C, …), got shape \(shape)")
        let c = shape[1]
        checkAffine(weight, bias, channels: c, op: "batchNormalized")
        let l = NormalizationLayout(n: shape[0], groups: c, channelsPerGroup: 1,
                                    positions: shape[2...].reduce(1, *), perSample: false)
        let (y, mean, variance) = normalized(l, weight: weight, bias: bias, eps: eps, op: "batchNorm", activation: activation)
        return (y, Tensor(mean), Tensor(variance))
    }

    /// Group normalisation: statistics per sample over each of `groups` groups of channels and all
    /// positions, then a per-channel scale and shift, like `torch.nn.functional.group_norm`.
    ///
    /// - Parameter activation: An activation applied to the output in the same pass (see
    ///   ``NormalizationActivation``), or nil.
    public func groupNormalized(groups: Int, weight: Tensor?, bias: Tensor?, eps: Float,
                                activation: NormalizationActivation? = nil) -> Tensor {
        shapeCheck(rank >= 2 && groups > 0 && shape[1] % groups == 0,
                   "groupNormalized: input shape \(shape) needs (N, C, …) with C divisible by \(groups) groups")
        let c = shape[1]
        checkAffine(weight, bias, channels: c, op: "groupNormalized")
        let l = NormalizationLayout(n: shape[0], groups: groups, channelsPerGroup: c / groups,
                                    positions: shape[2...].reduce(1, *), perSample: true)
        return normalized(l, weight: weight, bias: bias, eps: eps, op: "groupNorm", activation: activation).output
    }

    /// `x·scale[c] + shift[c]` for each channel `c` (axis 1) in one pass: batch normalisation
    /// with running statistics folded into a scale and a shift.
    ///
    /// ## Shape
    /// self `(N, C, …)`, scale and shift `(C)`; output as self.
    public func channelAffine(scale: Tensor, shift: Tensor) -> Tensor {
        shapeCheck(rank >= 2, "channelAffine: input must be (N, C, …), got shape \(shape)")
        let c = shape[1]
        checkAffine(scale, shift, channels: c, op: "channelAffine")
        let l = NormalizationLayout(n: shape[0], groups: c, channelsPerGroup: 1,
                                    positions: shape[2...].reduce(1, *), perSample: false)
        let out = TensorStorage(count: count)
        affineKernel(storage.data, out.data, scale.scalars, shift.scalars, l)
        var statShape = [Int](repeating: 1, count: rank)
        statShape[1] = c
        let x = self
        let axes = [0] + Array(2..<rank)
        return Tensor.record("channelAffine", out, shape: shape, inputs: [x, scale, shift]) { g, _ in
            [x.requiresGrad ? g * scale.reshaped(statShape) : nil,
             scale.requiresGrad ? (g * x).sum(axes: axes) : nil,
             shift.requiresGrad ? g.sum(axes: axes) : nil]
        }
    }

    private func checkAffine(_ weight: Tensor?, _ bias: Tensor?, channels c: Int, op: String) {
        shapeCheck(weight.map { $0.shape == [c] } ?? true, "\(op): weight has shape \(weight!.shape), expected [\(c)]")
        shapeCheck(bias.map { $0.shape == [c] } ?? true, "\(op): bias has shape \(bias!.shape), expected [\(c)]")
    }
}
