import MirageTensor
import MirageTestSupport
import Testing

@Suite struct NormalizationTests {
    /// The fused kernels against the same normalisation composed from primitives.
    private func composedReference(_ x: Tensor, axes: [Int], viewShape: [Int], weight: Tensor, bias: Tensor) -> Tensor {
        let v = x.reshaped(viewShape)
        let centered = v - v.mean(axes: axes, keepDims: true)
        let normalized = (centered / ((centered * centered).mean(axes: axes, keepDims: true) + 1e-5).sqrt()).reshaped(x.shape)
        var affine = [Int](repeating: 1, count: x.rank)
        affine[1] = x.shape[1]
        return normalized * weight.reshaped(affine) + bias.reshaped(affine)
    }

    @Test func batchNormMatchesComposedValuesAndStatistics() {
        let x = GradCheck.input([4, 3, 2, 5], seed: 1) * 3 + 1
        let w = GradCheck.input([3], seed: 2), b = GradCheck.input([3], seed: 3)
        let (y, mean, variance) = x.batchNormalized(weight: w, bias: b, eps: 1e-5)
        let reference = composedReference(x, axes: [0, 2], viewShape: [4, 3, 10], weight: w, bias: b)
        expectClose(y, reference.scalars, shape: x.shape, atol: 1e-4, rtol: 1e-4)
        expectClose(mean, x.mean(axes: [0, 2, 3]).scalars, atol: 1e-5, rtol: 1e-5)
        expectClose(variance, x.variance(axes: [0, 2, 3], unbiased: false).scalars, atol: 1e-4, rtol: 1e-4)
        // (N, C) input, as in BatchNorm1d.
        let flat = GradCheck.input([6, 4], seed: 4)
        let w4 = GradCheck.input([4], seed: 5), b4 = GradCheck.input([4], seed: 6)
        expectClose(flat.batchNormalized(weight: w4, bias: b4, eps: 1e-5).output,
                    composedReference(flat, axes: [0, 2], viewShape: [6, 4, 1], weight: w4, bias: b4).scalars,
                    atol: 1e-4, rtol: 1e-4)
    }

    @Test func groupNormMatchesComposed() {
        let x = GradCheck.input([3, 6, 2, 3], seed: 7) * 2 - 1
        let w = GradCheck.input([6], seed: 8), b = GradCheck.input([6], seed: 9)
        let y = x.groupNormalized(groups: 3, weight: w, bias: b, eps: 1e-5)
        let reference = composedReference(x, axes: [2], viewShape: [3, 3, 12], weight: w, bias: b)
        expectClose(y, reference.scalars, shape: x.shape, atol: 1e-4, rtol: 1e-4)
    }

    // The first-order checks exercise the fused backward kernel (gradients are not recorded);
    // the second-order checks exercise the composed derivative that `createGraph` uses.
    @Test func gradientsOfBatchNorm() {
        let x = GradCheck.input([4, 3, 2, 2], seed: 10), flat = GradCheck.input([5, 3], seed: 11)
        let w = GradCheck.input([3], seed: 12), b = GradCheck.input([3], seed: 13)
        GradCheck.check([x, w, b]) { $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5).output }
        GradCheck.check([flat, w, b]) { $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5).output }
        GradCheck.check([x]) { $0[0].batchNormalized(weight: nil, bias: nil, eps: 1e-5).output }
    }

    @Test func gradientsOfGroupNorm() {
        let x = GradCheck.input([2, 4, 2, 3], seed: 14)
        let w = GradCheck.input([4], seed: 15), b = GradCheck.input([4], seed: 16)
        GradCheck.check([x, w, b]) { $0[0].groupNormalized(groups: 2, weight: $0[1], bias: $0[2], eps: 1e-5) }
        GradCheck.check([x]) { $0[0].groupNormalized(groups: 4, weight: nil, bias: nil, eps: 1e-5) }
    }

    @Test func gradientsOfChannelAffine() {
        let x = GradCheck.input([2, 3, 2, 2], seed: 17)
        let s = GradCheck.input([3], seed: 18), t = GradCheck.input([3], seed: 19)
        GradCheck.check([x, s, t]) { $0[0].channelAffine(scale: $0[1], shift: $0[2]) }
        GradCheck.checkSecondOrder([x, s, t]) { $0[0].channelAffine(scale: $0[1], shift: $0[2]) }
    }

    @Test func secondOrderOfNormalization() {
        let x = GradCheck.input([3, 2, 2, 2], seed: 20)
        let w = GradCheck.input([2], seed: 21), b = GradCheck.input([2], seed: 22)
        GradCheck.checkSecondOrder([x, w, b]) { $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5).output }
        GradCheck.checkSecondOrder([x, w, b]) { $0[0].groupNormalized(groups: 1, weight: $0[1], bias: $0[2], eps: 1e-5) }
        // Several groups: statistics per group of two channels, not over all of them.
        let x4 = GradCheck.input([2, 4, 2, 2], seed: 23)
        let w4 = GradCheck.input([4], seed: 24), b4 = GradCheck.input([4], seed: 25)
        GradCheck.checkSecondOrder([x4, w4, b4]) { $0[0].groupNormalized(groups: 2, weight: $0[1], bias: $0[2], eps: 1e-5) }
    }

    /// The three first-order gradients of a normalisation against each other: the fused backward
    /// kernel (no graph recorded), the composed derivative `createGraph` records, and the
    /// gradient of the same normalisation built from primitives. Finite differences alone check
    /// each against itself; this checks that they agree.
    @Test func fusedComposedAndPrimitiveGradientsAgree() {
        let cases: [(x: Tensor, w: Tensor, b: Tensor, fused: ([Tensor]) -> Tensor, axes: [Int], view: [Int])] = [
            (GradCheck.input([4, 3, 2, 5], seed: 30) * 2 + 1, GradCheck.input([3], seed: 31), GradCheck.input([3], seed: 32),
             { $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5).output }, [0, 2], [4, 3, 10]),
            (GradCheck.input([6, 4], seed: 33), GradCheck.input([4], seed: 34), GradCheck.input([4], seed: 35),
             { $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5).output }, [0, 2], [6, 4, 1]),
            (GradCheck.input([3, 6, 2, 3], seed: 36) * 2 - 1, GradCheck.input([6], seed: 37), GradCheck.input([6], seed: 38),
             { $0[0].groupNormalized(groups: 3, weight: $0[1], bias: $0[2], eps: 1e-5) }, [2], [3, 3, 12]),
        ]
        for (i, c) in cases.enumerated() {
            let inputs = [c.x, c.w, c.b].map { $0.requiringGrad() }
            let r = Tensor.randn(c.x.shape, generator: RandomGenerator(seed: 40 + UInt64(i)))
            let fused = gradients(of: c.fused(inputs), wrt: inputs, outputGradient: r)
            let composed = gradients(of: c.fused(inputs), wrt: inputs, outputGradient: r, createGraph: true)
            let primitive = gradients(of: composedReference(inputs[0], axes: c.axes, viewShape: c.view, weight: inputs[1], bias: inputs[2]),
                                      wrt: inputs, outputGradient: r)
            for k in 0..<3 {
                expectClose(fused[k], composed[k].scalars, atol: 1e-4, rtol: 1e-3)
                expectClose(fused[k], primitive[k].scalars, atol: 1e-4, rtol: 1e-3)
            }
        }
    }

    static let activations: [NormalizationActivation] = [.silu, .relu, .leakyRelu(negativeSlope: 0.2), .leakyRelu(negativeSlope: -0.5)]

    /// A normalisation with an activation gives the floats of the normalisation followed by the
    /// activation op, forward and (fused backward kernel) backward, for both kinds of statistics.
    @Test(arguments: activations)
    func activationInTheNormalizationEqualsTheSeparateOps(_ activation: NormalizationActivation) {
        let x = GradCheck.input([3, 6, 5, 4], seed: 50) * 2 - 0.5
        let w = GradCheck.input([6], seed: 51), b = GradCheck.input([6], seed: 52) - 0.5
        let r = Tensor.randn(x.shape, generator: RandomGenerator(seed: 53))
        let pairs: [(fused: ([Tensor]) -> Tensor, separate: ([Tensor]) -> Tensor)] = [
            ({ $0[0].groupNormalized(groups: 3, weight: $0[1], bias: $0[2], eps: 1e-5, activation: activation) },
             { activation($0[0].groupNormalized(groups: 3, weight: $0[1], bias: $0[2], eps: 1e-5)) }),
            ({ $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5, activation: activation).output },
             { activation($0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5).output) }),
        ]
        for (fused, separate) in pairs {
            let inputs = [x, w, b].map { $0.requiringGrad() }
            let (y, ySeparate) = (fused(inputs), separate(inputs))
            #expect(y.scalars == ySeparate.scalars)
            let g = gradients(of: y, wrt: inputs, outputGradient: r)
            let gSeparate = gradients(of: ySeparate, wrt: inputs, outputGradient: r)
            for k in 0..<3 { #expect(g[k].scalars == gSeparate[k].scalars, "gradient \(k) with \(activation)") }
        }
        // (N, C) input: one position per row, where the activation runs as an op of its own.
        let flat = GradCheck.input([5, 6], seed: 54)
        #expect(flat.batchNormalized(weight: w, bias: b, eps: 1e-5, activation: activation).output.scalars
                == activation(flat.batchNormalized(weight: w, bias: b, eps: 1e-5).output).scalars)
    }

    @Test(arguments: activations)
    func gradientsOfNormalizationWithActivation(_ activation: NormalizationActivation) {
        let x = GradCheck.input([2, 4, 3, 2], seed: 60) * 2 - 1
        let w = GradCheck.input([4], seed: 61), b = GradCheck.input([4], seed: 62) - 0.5
        // Steps small enough that no normalised value crosses the (leaky) ReLU's kink.
        let step: Float = activation == .silu ? 1e-2 : 1e-3
        GradCheck.check([x, w, b], eps: step) {
            $0[0].groupNormalized(groups: 2, weight: $0[1], bias: $0[2], eps: 1e-5, activation: activation)
        }
        GradCheck.check([x, w, b], eps: step) {
            $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5, activation: activation).output
        }
        // The composed derivative of createGraph, itself differentiated.
        GradCheck.checkSecondOrder([x, w, b], eps: step) {
            $0[0].groupNormalized(groups: 2, weight: $0[1], bias: $0[2], eps: 1e-5, activation: activation)
        }
        GradCheck.checkSecondOrder([x, w, b], eps: step) {
            $0[0].batchNormalized(weight: $0[1], bias: $0[2], eps: 1e-5, activation: activation).output
        }
    }
}
