import MirageTensor
import MirageTestSupport
import Testing

@Suite struct ArithmeticTests {
    @Test func broadcastingValues() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([10, 20, 30], shape: [3])
        expectClose(a + b, [11, 22, 33, 14, 25, 36], shape: [2, 3])
        expectClose(a - Tensor([1, 2], shape: [2, 1]), [0, 1, 2, 2, 3, 4], shape: [2, 3])
        expectClose(Tensor([2], shape: [1]) * a, [2, 4, 6, 8, 10, 12], shape: [2, 3])
        expectClose(a / 2, [0.5, 1, 1.5, 2, 2.5, 3])
        expectClose(1 / Tensor([2, 4]), [0.5, 0.25])
        // [2, 1, 3] with [4, 1] broadcasts both ways to [2, 4, 3].
        let c = Tensor.arange(0, 6).reshaped([2, 1, 3]) + Tensor.arange(0, 4).reshaped([4, 1]) * 10
        #expect(c.shape == [2, 4, 3])
        #expect(c.scalars[0..<6] == [0, 1, 2, 10, 11, 12])
        #expect(c.scalars[12..<15] == [3, 4, 5])
    }

    @Test func gradientsOfBinaryOps() {
        let a = GradCheck.input([2, 3], seed: 1), b = GradCheck.input([3], seed: 2)
        let p = GradCheck.positive([2, 1], seed: 3)
        GradCheck.check([a, b]) { $0[0] + $0[1] }
        GradCheck.check([a, p]) { $0[0] - $0[1] }
        GradCheck.check([a, b]) { $0[0] * $0[1] }
        GradCheck.check([a, p]) { $0[0] / $0[1] }
        GradCheck.check([a]) { -$0[0] * 3 + 2 }
        GradCheck.check([p]) { 2 / $0[0] - 1 }
    }

    @Test func secondOrderOfBinaryOps() {
        let a = GradCheck.input([2, 3], seed: 4), b = GradCheck.input([1, 3], seed: 5)
        let p = GradCheck.positive([2, 3], seed: 6)
        GradCheck.checkSecondOrder([a, b]) { $0[0] * $0[1] * $0[1] }
        GradCheck.checkSecondOrder([a, p]) { $0[0] / $0[1] }
        GradCheck.checkSecondOrder([p]) { 1 / $0[0] }
    }
}
