import MirageTensor
import MirageTestSupport
import Testing

@Suite struct PoolTests {
    let x = Tensor([1, 5, 2, 0,
                    3, 4, 8, 7,
                    0, 1, 9, 6,
                    2, 2, 3, 1], shape: [1, 1, 4, 4])

    @Test func values() {
        #expect(maxPool2d(x, kernelSize: (2, 2)).scalars == [5, 8, 2, 9])
        #expect(maxPool2d(x, kernelSize: (3, 3), stride: (1, 1), padding: (1, 1)).shape == [1, 1, 4, 4])
        #expect(avgPool2d(x, kernelSize: (2, 2)).scalars == [3.25, 4.25, 1.25, 4.75])
        let u = upsampleNearest2d(Tensor([1, 2, 3, 4], shape: [1, 1, 2, 2]), scale: (2, 2))
        #expect(u.scalars == [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4])
    }

    @Test func gradients() {
        // Distinct values so that ±eps never changes which element is the maximum.
        let a = Tensor((0..<50).map { Float(($0 * 37) % 50) / 10 }, shape: [1, 2, 5, 5])
        GradCheck.check([a], eps: 1e-3) { maxPool2d($0[0], kernelSize: (2, 2), stride: (2, 2)) }
        GradCheck.check([a], eps: 1e-3) { maxPool2d($0[0], kernelSize: (3, 3), stride: (2, 2), padding: (1, 1)) }
        GradCheck.check([a]) { avgPool2d($0[0], kernelSize: (2, 2), stride: (1, 1)) }
        GradCheck.check([a]) { upsampleNearest2d($0[0], scale: (2, 3)) }
        GradCheck.checkSecondOrder([a], eps: 1e-3) { maxPool2d($0[0], kernelSize: (2, 2)).pow(2) }
        GradCheck.checkSecondOrder([a]) { upsampleNearest2d($0[0], scale: (2, 2)).pow(2) }
    }
}
