import MirageTensor
import MirageTestSupport
import Testing

@Suite struct ConvTests {
    /// Direct convolution in double precision (cross-correlation, as in PyTorch).
    static func reference(_ x: Tensor, _ w: Tensor, stride: (Int, Int), padding: (Int, Int), groups: Int) -> [Float] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, cg, kh, kw) = (w.shape[0], w.shape[1], w.shape[2], w.shape[3])
        let oh = (h + 2 * padding.0 - kh) / stride.0 + 1, ow = (wd + 2 * padding.1 - kw) / stride.1 + 1
        let xs = x.scalars, ws = w.scalars
        var out = [Float]()
        for b in 0..<n { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
            let g = oc / (o / groups)
            var acc = 0.0
            for ic in 0..<cg { for di in 0..<kh { for dj in 0..<kw {
                let y = i * stride.0 - padding.0 + di, xx = j * stride.1 - padding.1 + dj
                guard y >= 0, y < h, xx >= 0, xx < wd else { continue }
                acc += Double(xs[((b * c + g * cg + ic) * h + y) * wd + xx]) * Double(ws[((oc * cg + ic) * kh + di) * kw + dj])
            } } }
            out.append(Float(acc))
        } } } }
        return out
    }

    @Test(arguments: [((1, 1), (0, 0), 1), ((2, 2), (1, 1), 1), ((2, 1), (1, 0), 2), ((1, 2), (2, 1), 4)])
    func conv2dMatchesDirectConvolution(_ stride: (Int, Int), _ padding: (Int, Int), _ groups: Int) {
        let x = Tensor.randn([2, 4, 7, 6], generator: RandomGenerator(seed: 1))
        let w = Tensor.randn([4, 4 / groups, 3, 3], generator: RandomGenerator(seed: 2))
        let y = conv2d(x, w, stride: stride, padding: padding, groups: groups)
        expectClose(y, Self.reference(x, w, stride: stride, padding: padding, groups: groups), atol: 1e-4, rtol: 1e-4)
    }

    @Test func convTransposeIsTheAdjointOfConv() {
        // ⟨conv(x, w), y⟩ = ⟨x, convᵀ(y, w)⟩ for every x, y: the defining property of convᵀ.
        for (stride, padding, outputPadding, groups) in [((2, 2), (1, 1), (0, 0), 1), ((2, 2), (0, 1), (1, 1), 2), ((1, 1), (1, 1), (0, 0), 1)] {
            let w = Tensor.randn([4, 6 / groups, 4, 3], generator: RandomGenerator(seed: 3))
            let y = Tensor.randn([2, 4, 5, 5], generator: RandomGenerator(seed: 4))
            let t = convTranspose2d(y, w, stride: stride, padding: padding, outputPadding: outputPadding, groups: groups)
            let x = Tensor.randn(t.shape, generator: RandomGenerator(seed: 5))
            let forward = conv2d(x, w, stride: stride, padding: padding, groups: groups)
            #expect(forward.shape == y.shape)
            let lhs = (forward * y).sum().item, rhs = (x * t).sum().item
            #expect(Swift.abs(lhs - rhs) < 1e-3 * Swift.max(1, Swift.abs(lhs)), "\(lhs) vs \(rhs)")
        }
        // PyTorch's output size formula.
        let up = convTranspose2d(Tensor.zeros([1, 8, 7, 7]), Tensor.zeros([8, 3, 4, 4]), stride: (2, 2), padding: (1, 1))
        #expect(up.shape == [1, 3, 14, 14])
    }

    @Test func gradients() {
        let x = GradCheck.input([2, 2, 5, 5], seed: 6), w = GradCheck.input([3, 2, 3, 3], seed: 7)
        let b = GradCheck.input([3], seed: 8)
        GradCheck.check([x, w, b]) { conv2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1)) }
        GradCheck.check([x, w]) { conv2d($0[0], $0[1], stride: (1, 2)) }
        let wt = GradCheck.input([2, 3, 4, 4], seed: 9)
        GradCheck.check([x, wt, b]) { convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1)) }
        let xg = GradCheck.input([1, 4, 4, 4], seed: 10), wg = GradCheck.input([4, 2, 3, 3], seed: 11)
        GradCheck.check([xg, wg]) { conv2d($0[0], $0[1], padding: (1, 1), groups: 2) }
        GradCheck.check([xg, wg]) { convTranspose2d($0[0], $0[1], stride: (2, 2), outputPadding: (1, 1), groups: 2) }
        // An input size the stride does not divide: the last rows are never read.
        GradCheck.check([GradCheck.input([1, 1, 6, 6], seed: 12), GradCheck.input([1, 1, 3, 3], seed: 13)]) {
            conv2d($0[0], $0[1], stride: (2, 2))
        }
    }

    /// The kernels add a bias as they write the output (oneDNN's forward primitive, Mirage's
    /// direct single-channel loops, and after a transposed convolution): the same floats as the
    /// convolution without bias followed by a broadcast add, on every path.
    @Test func biasInTheKernelEqualsABroadcastAdd() {
        let r = RandomGenerator(seed: 21)
        for (inChannels, outChannels, groups) in [(3, 5, 1), (4, 1, 1), (1, 6, 1), (4, 6, 2)] {
            let x = Tensor.randn([2, inChannels, 6, 7], generator: r)
            let w = Tensor.randn([outChannels, inChannels / groups, 3, 3], generator: r)
            let b = Tensor.randn([outChannels], generator: r)
            let fused = conv2d(x, w, bias: b, stride: (2, 1), padding: (1, 1), groups: groups)
            let added = conv2d(x, w, stride: (2, 1), padding: (1, 1), groups: groups) + b.reshaped([1, outChannels, 1, 1])
            #expect(fused.scalars == added.scalars, "conv2d \(inChannels)→\(outChannels) channels, groups \(groups)")
            let wt = Tensor.randn([inChannels, outChannels / groups, 4, 4], generator: r)
            let bt = Tensor.randn([outChannels], generator: r)
            let fusedT = convTranspose2d(x, wt, bias: bt, stride: (2, 2), padding: (1, 1), groups: groups)
            let addedT = convTranspose2d(x, wt, stride: (2, 2), padding: (1, 1), groups: groups) + bt.reshaped([1, outChannels, 1, 1])
            #expect(fusedT.scalars == addedT.scalars, "convTranspose2d \(inChannels)→\(outChannels) channels, groups \(groups)")
        }
    }

    /// Expects the gradients of `op(x, w)` with respect to both operands to be the floats of
    /// each taken alone (one backward pass each, not the pair).
    private func expectPairedGradientsEqualSingle(_ x: Tensor, _ w: Tensor, outputGradient dy: Tensor, _ what: String,
                                                  _ op: (Tensor, Tensor) -> Tensor) {
        func gradients(_ wrt: [Bool]) -> [Tensor] {
            let (xi, wi) = (wrt[0] ? x.requiringGrad() : x, wrt[1] ? w.requiringGrad() : w)
            return MirageTensor.gradients(of: op(xi, wi), wrt: [xi, wi].enumerated().filter { wrt[$0.offset] }.map(\.element),
                                          outputGradient: dy)
        }
        let both = gradients([true, true])
        #expect(both[0].scalars == gradients([true, false])[0].scalars, "\(what), input gradient")
        #expect(both[1].scalars == gradients([false, true])[0].scalars, "\(what), weight gradient")
    }

    /// When both operands need a gradient, a convolution's two backward passes run as a pair
    /// that reorders the shared output gradient once: the same floats as each pass on its own.
    @Test func pairedBackwardPassesEqualSinglePasses() {
        let r = RandomGenerator(seed: 22)
        for (inChannels, outChannels, groups) in [(16, 32, 1), (3, 8, 1), (8, 1, 1), (1, 8, 1), (16, 16, 2)] {
            let x = Tensor.randn([4, inChannels, 9, 8], generator: r), dy = Tensor.randn([4, outChannels, 5, 8], generator: r)
            let w = Tensor.randn([outChannels, inChannels / groups, 3, 3], generator: r)
            expectPairedGradientsEqualSingle(x, w, outputGradient: dy, "conv2d \(inChannels)→\(outChannels)") {
                conv2d($0, $1, stride: (2, 1), padding: (1, 1), groups: groups)
            }
            // A transposed convolution's backward rule pairs its forward and weight passes.
            let wt = Tensor.randn([inChannels, outChannels / groups, 4, 4], generator: r)
            let dyt = Tensor.randn([4, outChannels, 18, 16], generator: r)
            expectPairedGradientsEqualSingle(x, wt, outputGradient: dyt, "convTranspose2d \(inChannels)→\(outChannels)") {
                convTranspose2d($0, $1, stride: (2, 2), padding: (1, 1), groups: groups)
            }
        }
    }

    @Test func secondOrder() {
        let x = GradCheck.input([1, 2, 4, 4], seed: 14), w = GradCheck.input([2, 2, 3, 3], seed: 15)
        GradCheck.checkSecondOrder([x, w]) { conv2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)).tanh() }
        let b = GradCheck.input([2], seed: 19)
        GradCheck.checkSecondOrder([x, w, b]) { conv2d($0[0], $0[1], bias: $0[2], padding: (1, 1)).tanh() }
        let wt = GradCheck.input([2, 1, 4, 4], seed: 16)
        GradCheck.checkSecondOrder([x, wt]) { convTranspose2d($0[0], $0[1], stride: (2, 2), padding: (1, 1)).pow(2) }
        GradCheck.checkSecondOrder([x, wt, GradCheck.input([1], seed: 20)]) {
            convTranspose2d($0[0], $0[1], bias: $0[2], stride: (2, 2), padding: (1, 1)).pow(2)
        }
        // Grouped: two groups of two channels each, so each output sees only its group's inputs.
        let xg = GradCheck.input([1, 4, 4, 4], seed: 17), wg = GradCheck.input([4, 2, 3, 3], seed: 18)
        GradCheck.checkSecondOrder([xg, wg]) { conv2d($0[0], $0[1], padding: (1, 1), groups: 2).tanh() }
    }

    /// WGAN-GP's penalty: the gradient of ‖∂D(x)/∂x‖₂ with respect to the parameters of a conv
    /// net D, against finite differences of the penalty itself.
    @Test func gradientPenaltyThroughAConvNet() {
        let x = GradCheck.input([2, 1, 6, 6], seed: 17)
        let w1 = GradCheck.input([3, 1, 4, 4], seed: 18).mul(0.5), b1 = GradCheck.input([3], seed: 19)
        let w2 = GradCheck.input([1, 3 * 3 * 3], seed: 20).mul(0.3)
        func critic(_ x: Tensor, _ w1: Tensor, _ b1: Tensor, _ w2: Tensor) -> Tensor {
            let h = conv2d(x, w1, bias: b1, stride: (2, 2), padding: (1, 1)).softplus().tanh()
            return h.reshaped([x.shape[0], -1]).matmul(w2.transposed())
        }
        GradCheck.check([w1, b1, w2], eps: 5e-3) { p in
            withGrad {
                let xi = x.requiringGrad()
                let g = MirageTensor.gradients(of: critic(xi, p[0], p[1], p[2]).sum(), wrt: [xi], createGraph: true)[0]
                return (g.reshaped([2, -1]).norm(axis: 1) - 1).pow(2).mean()
            }
        }
    }
}

@Suite struct SingleOutputChannelConvolutionTests {
    /// A square-kernel geometry from (kernel, stride, padding, height, width).
    static func geometry(_ shape: (Int, Int, Int, Int, Int), inChannels: Int, outChannels: Int) -> ConvGeometry {
        let (k, s, p, h, w) = shape
        return ConvGeometry(batch: 3, inChannels: inChannels, inHeight: h, inWidth: w, outChannels: outChannels,
                            kernelHeight: k, kernelWidth: k, outHeight: (h + 2 * p - k) / s + 1,
                            outWidth: (w + 2 * p - k) / s + 1, strideH: s, strideW: s, padH: p, padW: p, groups: 1)
    }

    /// One pass of `backend` on the operands, as a tensor of the pass's output shape.
    static func run(_ backend: OneDNNBackend, _ pass: ConvPass, _ g: ConvGeometry, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = switch pass {
        case .forward: g.outputShape
        case .backwardData: g.inputShape
        case .backwardWeights: g.weightShape
        }
        var out = [Float](repeating: .nan, count: shape.reduce(1, *))
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { po in
                    backend.convolution(pass, g, pa.baseAddress!, pb.baseAddress!, bias: nil, output: po.baseAddress!)
                }
            }
        }
        return Tensor(out, shape: shape)
    }

    /// The direct loops against oneDNN on the same pass.
    static func expectDirectMatchesOneDNN(_ pass: ConvPass, _ g: ConvGeometry, _ a: Tensor, _ b: Tensor,
                                          sourceLocation: SourceLocation = #_sourceLocation) {
        let expected = run(OneDNNBackend(directSingleChannel: false), pass, g, a, b)
        expectClose(run(OneDNNBackend(), pass, g, a, b), expected.scalars, shape: expected.shape, atol: 1e-4, rtol: 1e-4,
                    sourceLocation: sourceLocation)
    }

    /// Mirage's direct loops for one output channel against oneDNN, on every pass, over strides,
    /// paddings, kernel sizes and non-square images.
    @Test(arguments: [(3, 1, 1, 7, 6), (3, 1, 0, 5, 5), (4, 2, 1, 8, 8), (3, 2, 2, 7, 9), (1, 1, 0, 4, 3), (5, 3, 2, 11, 10)])
    func directLoopsMatchOneDNN(_ shape: (Int, Int, Int, Int, Int)) {
        let g = Self.geometry(shape, inChannels: 5, outChannels: 1)
        let r = RandomGenerator(seed: UInt64(shape.0 * 100 + shape.1 * 10 + shape.2))
        let x = Tensor.randn(g.inputShape, generator: r), weight = Tensor.randn(g.weightShape, generator: r)
        let dy = Tensor.randn(g.outputShape, generator: r)
        Self.expectDirectMatchesOneDNN(.forward, g, x, weight)
        Self.expectDirectMatchesOneDNN(.backwardData, g, dy, weight)
        Self.expectDirectMatchesOneDNN(.backwardWeights, g, x, dy)
    }

    /// The phase-plane input gradient of one-input-channel convolutions against oneDNN.
    @Test(arguments: [(4, 2, 1, 8, 8), (3, 1, 1, 7, 6), (3, 2, 0, 9, 7), (5, 3, 2, 11, 10), (2, 2, 0, 6, 6), (4, 2, 1, 28, 28)])
    func inputGradientOfOneInputChannelMatchesOneDNN(_ shape: (Int, Int, Int, Int, Int)) {
        let g = Self.geometry(shape, inChannels: 1, outChannels: 6)
        let r = RandomGenerator(seed: UInt64(shape.0 * 100 + shape.1 * 10 + shape.2 + 7))
        let dy = Tensor.randn(g.outputShape, generator: r), weight = Tensor.randn(g.weightShape, generator: r)
        Self.expectDirectMatchesOneDNN(.backwardData, g, dy, weight)
    }
}
