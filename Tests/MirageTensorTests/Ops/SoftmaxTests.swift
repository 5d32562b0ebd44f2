import Foundation
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct SoftmaxTests {
    @Test func valuesAndStability() {
        let x = Tensor([1, 2, 3, 1000, 1001, 1002], shape: [2, 3])
        let ref: [Float] = { let e = [1, 2, 3].map { Foundation.exp(Double($0)) }; let s = e.reduce(0, +); return e.map { Float($0 / s) } }()
        expectClose(x.softmax(axis: 1), ref + ref, atol: 1e-6)
        expectClose(x.logSumExp(axis: 1), [3.4076059, 1002.4076], atol: 1e-4)
        expectClose(x.logSoftmax(axis: 1).exp(), ref + ref, atol: 1e-6)
        #expect(Tensor([-Float.infinity, -Float.infinity]).logSumExp(axis: 0).item == -.infinity)
        expectClose(Tensor([1, 2, 3, 4]).variance(), [1.6666666])
        expectClose(Tensor([1, 2, 3, 4]).variance(unbiased: false), [1.25])
        expectClose(Tensor([3, 4]).norm(), [5])
    }

    @Test func gradients() {
        let a = GradCheck.input([3, 4], seed: 1).mul(3)
        GradCheck.check([a]) { $0[0].logSumExp(axis: 1) }
        GradCheck.check([a]) { $0[0].softmax(axis: 0) }
        GradCheck.check([a]) { $0[0].logSoftmax(axis: -1) }
        GradCheck.check([a]) { $0[0].variance(axes: [1]) }
        GradCheck.check([a]) { $0[0].norm(axis: 1) }
    }

    @Test func secondOrder() {
        let a = GradCheck.input([2, 5], seed: 2)
        GradCheck.checkSecondOrder([a]) { $0[0].logSumExp(axis: 1) }
        GradCheck.checkSecondOrder([a]) { $0[0].softmax(axis: 1) }
        GradCheck.checkSecondOrder([a]) { $0[0].logSoftmax(axis: 1) }
        GradCheck.checkSecondOrder([a]) { $0[0].variance(axes: [1]) }
        GradCheck.checkSecondOrder([a]) { $0[0].norm(axis: 1) }
    }
}
