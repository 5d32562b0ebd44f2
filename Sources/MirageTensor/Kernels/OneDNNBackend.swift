import CDNNL
import CMirageKernels
import Foundation

/// Kernels from oneDNN: cached matmul and convolution primitives.
public final class OneDNNBackend: KernelBackend, @unchecked Sendable {
    private struct MatmulKey: Hashable {
        let transA: Bool, transB: Bool, m: Int, n: Int, k: Int, lda: Int, ldb: Int, ldc: Int
    }

    /// What a cached primitive computes.
    private enum Key: Hashable {
        /// `bias`: a forward convolution that adds a bias in oneDNN's own output stage.
        case convolution(ConvPass, ConvGeometry, bias: Bool)
        case matmul(MatmulKey)
    }

    // Creating a primitive costs far more than running a small one: cache by what it computes,
    // and drop the least recently used beyond `cacheCapacity`, so that a program that sees many
    // shapes (a sweep of batch sizes, sampling in odd-sized chunks) does not grow without bound.
    private var cache: [Key: (primitive: DNNLPrimitive, lastUse: UInt64)] = [:]
    private var uses: UInt64 = 0
    private let lock = NSLock()
    /// Held while a primitive is created, so that two threads asking for the same new shape
    /// create it once.
    private let creation = NSLock()

    /// The most primitives kept; a training step uses a few dozen.
    public static let cacheCapacity = 256

    /// How many primitives the cache holds now.
    public var cachedPrimitiveCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return cache.count
    }

    /// Whether convolutions with one output channel, and the input gradient of those with one
    /// input channel, run on Mirage's direct loops (SingleChannelConvolution.swift) rather than
    /// on oneDNN, whose blocked kernels pad the single channel to 16.
    public let directSingleChannel: Bool

    /// - Parameter directSingleChannel: Run single-channel convolution passes on Mirage's direct
    ///   loops; `false` sends every convolution to oneDNN (tests compare the two).
    public init(directSingleChannel: Bool = true) {
        self.directSingleChannel = directSingleChannel
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        // oneDNN's matmul primitive (brgemm kernels) runs the skinny products of a training step
        // at 170-200 GFLOP/s where dnnl_sgemm managed 57-125 with a transposed B (x·Wᵀ of every
        // linear layer). dnnl_sgemm stays for scaled or accumulating products.
        if alpha == 1 && beta == 0 {
            let key = MatmulKey(transA: transA, transB: transB, m: m, n: n, k: k, lda: lda, ldb: ldb, ldc: ldc)
            primitive(.matmul(key)).run([UnsafeMutableRawPointer(mutating: a), UnsafeMutableRawPointer(mutating: b),
                                         UnsafeMutableRawPointer(c)])
            return
        }
        let status = dnnl_sgemm(CChar(UInt8(ascii: transA ? "T" : "N")), CChar(UInt8(ascii: transB ? "T" : "N")),
                                dnnl_dim_t(m), dnnl_dim_t(n), dnnl_dim_t(k), alpha,
                                a, dnnl_dim_t(lda), b, dnnl_dim_t(ldb), beta, c, dnnl_dim_t(ldc))
        if status != dnnl_success {
            fatalError("\(DNNLError(call: "dnnl_sgemm", context: "matmul \(m)x\(k) by \(k)x\(n)", status: status))")
        }
    }

    public func convolution(_ pass: ConvPass, _ g: ConvGeometry,
                            _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>,
                            bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>) {
        precondition(bias == nil || pass != .backwardWeights, "convolution: a weight gradient takes no bias")
        if directSingleChannel && g.groups == 1 {
            if g.outChannels == 1 {
                singleOutputChannelConvolution(pass, g, first, second, output: output)
                if let bias { addChannelBias(bias, to: output, pass, g) }
                return
            }
            if g.inChannels == 1 && pass == .backwardData {
                singleInputChannelBackwardData(g, outputGradient: first, weight: second, inputGradient: output)
                if let bias { addChannelBias(bias, to: output, pass, g) }
                return
            }
        }
        let buffers = [UnsafeMutableRawPointer(mutating: first), UnsafeMutableRawPointer(mutating: second)]
        // oneDNN adds a forward convolution's bias as it stores each output block, saving a pass
        // over the output; its backward-data primitive has no bias, so a transposed
        // convolution's is added here, in place.
        if let bias, pass == .forward {
            primitive(.convolution(pass, g, bias: true)).run(buffers + [UnsafeMutableRawPointer(mutating: bias),
                                                                         UnsafeMutableRawPointer(output)])
            return
        }
        primitive(.convolution(pass, g, bias: false)).run(buffers + [UnsafeMutableRawPointer(output)])
        if let bias { addChannelBias(bias, to: output, pass, g) }
    }

    /// The two passes of a backward rule with their shared operand reordered into oneDNN's
    /// layout once (it is an activation-sized buffer: about a sixth of a convolution's reorders).
    public func convolutions(_ g: ConvGeometry, _ a: ConvolutionCall, _ b: ConvolutionCall,
                             sharing: (first: Int, second: Int)) {
        if directSingleChannel && g.groups == 1 && (g.outChannels == 1 || g.inChannels == 1) {
            for call in [a, b] { convolution(call.pass, g, call.first, call.second, bias: nil, output: call.output) }
            return
        }
        func buffers(_ c: ConvolutionCall) -> [UnsafeMutableRawPointer] {
            [UnsafeMutableRawPointer(mutating: c.first), UnsafeMutableRawPointer(mutating: c.second), UnsafeMutableRawPointer(c.output)]
        }
        DNNLPrimitive.runPair(primitive(.convolution(a.pass, g, bias: false)), buffers(a),
                              primitive(.convolution(b.pass, g, bias: false)), buffers(b), shared: sharing)
    }

    /// `output[n, c, …] += bias[c]` over the pass's output, in place.
    private func addChannelBias(_ bias: UnsafePointer<Float>, to output: UnsafeMutablePointer<Float>,
                                _ pass: ConvPass, _ g: ConvGeometry) {
        let (channels, positions) = pass == .forward ? (g.outChannels, g.outHeight * g.outWidth)
                                                     : (g.inChannels, g.inHeight * g.inWidth)
        parallelChunks(g.batch * channels, grain: Swift.max(1, elementwiseGrain / Swift.max(positions, 1))) { rows in
            for row in rows {
                let p = output + row * positions
                mirage_binary(BinaryFunction.add.function, 0, p, 1, bias + row % channels, 0, p, positions)
            }
        }
    }

    /// The cached primitive for `key`, marked as just used.
    private func lookup(_ key: Key) -> DNNLPrimitive? {
        lock.lock()
        defer { lock.unlock() }
        guard let entry = cache[key] else { return nil }
        uses += 1
        cache[key] = (entry.primitive, uses)
        return entry.primitive
    }

    /// The cached primitive for `key`, created on first use. An evicted primitive is destroyed
    /// when its last user lets go of it (a run in progress holds it).
    private func primitive(_ key: Key) -> DNNLPrimitive {
        if let cached = lookup(key) { return cached }
        creation.lock()
        defer { creation.unlock() }
        if let cached = lookup(key) { return cached }
        let made: DNNLPrimitive
        do {
            switch key {
            case .convolution(let pass, let g, let bias): made = try Self.makeConvolution(pass, g, bias: bias)
            case .matmul(let m): made = try Self.makeMatmul(m)
            }
        } catch {
            fatalError("\(error)")
        }
        lock.lock()
        uses += 1
        cache[key] = (made, uses)
        if cache.count > Self.cacheCapacity, let oldest = cache.min(by: { $0.value.lastUse < $1.value.lastUse })?.key {
            cache.removeValue(forKey: oldest)
        }
        lock.unlock()
        return made
    }

    /// A row-major matmul primitive over strided operands, so that transposes are only strides.
    private static func makeMatmul(_ key: MatmulKey) throws -> DNNLPrimitive {
        let context = "matmul \(key.m)x\(key.k) by \(key.k)x\(key.n) (transposed: \(key.transA), \(key.transB))"
        var a = try stridedDescriptor([key.m, key.k], strides: key.transA ? [1, key.lda] : [key.lda, 1], context: context)
        var b = try stridedDescriptor([key.k, key.n], strides: key.transB ? [1, key.ldb] : [key.ldb, 1], context: context)
        var c = try stridedDescriptor([key.m, key.n], strides: [key.ldc, 1], context: context)
        var desc = dnnl_matmul_desc_t()
        try dnnlCheck(dnnl_matmul_desc_init(&desc, &a, &b, nil, &c), "dnnl_matmul_desc_init", context)
        var pd: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&pd, &desc, DNNLContext.shared.attributes, DNNLContext.shared.engine, nil),
                      "dnnl_primitive_desc_create", context)
        defer { dnnl_primitive_desc_destroy(pd) }
        return try DNNLPrimitive(descriptor: pd!, argumentKinds: [
            (DNNL_ARG_SRC, dnnl_query_src_md, nil), (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, nil),
            (DNNL_ARG_DST, dnnl_query_dst_md, nil)], context: context)
    }

    private static func makeConvolution(_ pass: ConvPass, _ g: ConvGeometry, bias: Bool) throws -> DNNLPrimitive {
        let context = "conv2d \(pass)\(bias ? " with bias" : "") input \(g.inputShape) weight \(g.weightShape) output \(g.outputShape) stride (\(g.strideH), \(g.strideW)) padding (\(g.padH), \(g.padW)) groups \(g.groups)"
        // Layouts are left to oneDNN: its direct convolutions want channel-blocked data (nChw16c),
        // and reordering our plain buffers in and out costs far less than the plain-layout kernels.
        var src = try anyLayoutDescriptor(g.inputShape, context: context)
        var dst = try anyLayoutDescriptor(g.outputShape, context: context)
        let weightDims = g.groups == 1 ? g.weightShape
            : [g.groups, g.outChannels / g.groups, g.inChannels / g.groups, g.kernelHeight, g.kernelWidth]
        var weights = try anyLayoutDescriptor(weightDims, context: context)
        let strides = dnnlDims([g.strideH, g.strideW])
        let padL = dnnlDims([g.padH, g.padW])
        // The right padding that makes oneDNN's size formula exact for this input and output.
        let padR = dnnlDims([(g.outHeight - 1) * g.strideH + g.kernelHeight - g.inHeight - g.padH,
                             (g.outWidth - 1) * g.strideW + g.kernelWidth - g.inWidth - g.padW])
        let engine = DNNLContext.shared.engine

        var biasMD = try plainDescriptor([g.outChannels], context: context)
        var forwardDesc = dnnl_convolution_desc_t()
        try withUnsafeMutablePointer(to: &biasMD) { b in
            try dnnlCheck(dnnl_convolution_forward_desc_init(&forwardDesc, dnnl_forward_training, dnnl_convolution_direct,
                                                             &src, &weights, bias ? b : nil, &dst, strides, padL, padR),
                          "dnnl_convolution_forward_desc_init", context)
        }
        var forwardPD: dnnl_primitive_desc_t?
        try dnnlCheck(dnnl_primitive_desc_create(&forwardPD, &forwardDesc, DNNLContext.shared.attributes, engine, nil),
                      "dnnl_primitive_desc_create", context)
        defer { dnnl_primitive_desc_destroy(forwardPD) }

        switch pass {
        case .forward:
            let biasArgument = bias ? [(DNNL_ARG_BIAS, dnnl_query_weights_md, [g.outChannels] as [Int]?)] : []
            return try DNNLPrimitive(descriptor: forwardPD!, argumentKinds: [
                (DNNL_ARG_SRC, dnnl_query_src_md, g.inputShape), (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, weightDims)]
                + biasArgument + [(DNNL_ARG_DST, dnnl_query_dst_md, g.outputShape)], context: context)
        case .backwardData:
            var desc = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_convolution_backward_data_desc_init(&desc, dnnl_convolution_direct, &src, &weights, &dst,
                                                                   strides, padL, padR),
                          "dnnl_convolution_backward_data_desc_init", context)
            var pd: dnnl_primitive_desc_t?
            try dnnlCheck(dnnl_primitive_desc_create(&pd, &desc, DNNLContext.shared.attributes, engine, forwardPD),
                          "dnnl_primitive_desc_create", context)
            defer { dnnl_primitive_desc_destroy(pd) }
            return try DNNLPrimitive(descriptor: pd!, argumentKinds: [
                (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, g.outputShape), (DNNL_ARG_WEIGHTS, dnnl_query_weights_md, weightDims),
                (DNNL_ARG_DIFF_SRC, dnnl_query_diff_src_md, g.inputShape)], context: context)
        case .backwardWeights:
            var desc = dnnl_convolution_desc_t()
            try dnnlCheck(dnnl_convolution_backward_weights_desc_init(&desc, dnnl_convolution_direct, &src, &weights, nil,
                                                                      &dst, strides, padL, padR),
                          "dnnl_convolution_backward_weights_desc_init", context)
            var pd: dnnl_primitive_desc_t?
            try dnnlCheck(dnnl_primitive_desc_create(&pd, &desc, DNNLContext.shared.attributes, engine, forwardPD),
                          "dnnl_primitive_desc_create", context)
            defer { dnnl_primitive_desc_destroy(pd) }
            return try DNNLPrimitive(descriptor: pd!, argumentKinds: [
                (DNNL_ARG_SRC, dnnl_query_src_md, g.inputShape), (DNNL_ARG_DIFF_DST, dnnl_query_diff_dst_md, g.outputShape),
                (DNNL_ARG_DIFF_WEIGHTS, dnnl_query_diff_weights_md, weightDims)], context: context)
        }
    }
}
