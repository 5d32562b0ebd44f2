import MirageTensor
import MirageTestSupport
import Testing

@Suite struct ReduceTests {
    let x = Tensor.arange(0, 24).reshaped([2, 3, 4])

    @Test func sumsAndMeans() {
        #expect(x.sum().item == 276)
        expectClose(x.sum(axis: 0), (0..<12).map { Float($0 * 2 + 12) }, shape: [3, 4])
        expectClose(x.sum(axis: 2), [6, 22, 38, 54, 70, 86], shape: [2, 3])
        expectClose(x.sum(axes: [0, 2], keepDims: true), [60, 92, 124], shape: [1, 3, 1])
        expectClose(x.mean(axis: 1), [4, 5, 6, 7, 16, 17, 18, 19], shape: [2, 4])
        #expect(x.mean().item == 11.5)
        // Long sums are accumulated in double precision.
        #expect(Tensor.full([1 << 20], 0.1).sum().item == Float(Double(1 << 20) * Double(Float(0.1))))
    }

    @Test func maxMinArgmax() {
        let y = Tensor([3, 1, 4, 1, 5, 9, 2, 6], shape: [2, 4])
        expectClose(y.max(axis: 1), [4, 9])
        expectClose(y.min(axis: 0), [3, 1, 2, 1])
        #expect(y.max().item == 9)
        #expect(y.argmax(axis: 1).scalars == [2, 1])
        // Ties share the gradient.
        let t = Tensor([2, 2, 1]).requiringGrad()
        t.max().backward()
        #expect(t.grad!.scalars == [0.5, 0.5, 0])
    }

    @Test func gradients() {
        let a = GradCheck.input([2, 3, 4], seed: 1)
        GradCheck.check([a]) { $0[0].sum(axis: 1) }
        GradCheck.check([a]) { $0[0].sum(axes: [0, 2], keepDims: true) }
        GradCheck.check([a]) { $0[0].mean(axes: [1, 2]) }
        let d = GradCheck.distinct([2, 3, 4], seed: 1)
        GradCheck.check([d]) { $0[0].max(axis: 2) }
        GradCheck.check([d]) { $0[0].min(axes: [0, 1]) }
        GradCheck.check([GradCheck.input([3, 1], seed: 2)]) { $0[0].expanded(to: [2, 3, 4]) }
        GradCheck.check([a]) { $0[0].sum(toShape: [3, 1]) }
    }

    @Test func secondOrder() {
        let a = GradCheck.input([3, 4], seed: 3)
        GradCheck.checkSecondOrder([a]) { ($0[0] * $0[0]).sum(axis: 1) }
        GradCheck.checkSecondOrder([a]) { $0[0].mean(axis: 0).pow(2) }
        GradCheck.checkSecondOrder([GradCheck.distinct([3, 4], seed: 5)]) { ($0[0] * $0[0]).max(axis: 1) }
        // A power outside, so that the gradient min's backward receives depends on x.
        GradCheck.checkSecondOrder([GradCheck.distinct([3, 4], seed: 6)]) { $0[0].min(axis: 1).pow(3) }
        GradCheck.checkSecondOrder([GradCheck.input([3, 1], seed: 4)]) { $0[0].expanded(to: [3, 5]).pow(2) }
    }
}

