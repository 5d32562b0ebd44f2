import MirageEval
import MirageTensor
import Testing

@Suite struct PrecisionRecallTests {
    @Test func radiiByHand() {
        // Points 0, 1, 2, 3, 10 on a line: 1st neighbours at 1, 1, 1, 1, 7; 2nd at 2, 1, 1, 2, 8.
        let x = Tensor([0, 1, 2, 3, 10], shape: [5, 1])
        let expected: [[Float]] = [[1, 1, 1, 1, 49], [4, 1, 1, 4, 64]]
        for k in [1, 2] {
            let radii = PrecisionRecall.nearestNeighbourRadii(x, k: k)
            #expect(zip(radii, expected[k - 1]).allSatisfy { Swift.abs($0 - $1) < 1e-4 }, "k = \(k): \(radii)")
        }
        // Balls of squared radius 1 around 0…3 and 49 around 10: 4.5, 16.9 and −0.9 are inside, 17.1 is not.
        let q = Tensor([4.5, 16.9, 17.1, -0.9], shape: [4, 1])
        #expect(PrecisionRecall.shareInside(q, manifold: x, squaredRadii: [1, 1, 1, 1, 49]) == 0.75)
    }

    @Test func sameDistributionScoresHighOnBoth() {
        let g = RandomGenerator(seed: 31)
        let real = Tensor.randn([2000, 8], generator: g), fake = Tensor.randn([2000, 8], generator: g)
        let (precision, recall) = PrecisionRecall.compute(real: real, generated: fake)
        #expect(precision > 0.6 && recall > 0.6, "precision \(precision), recall \(recall)")
    }

    @Test func collapseKeepsPrecisionAndLosesRecall() {
        let g = RandomGenerator(seed: 32)
        let real = Tensor.randn([2000, 2], generator: g)
        let collapsed = Tensor.randn([2000, 2], std: 0.1, generator: g)   // all near one point of the data
        let (precision, recall) = PrecisionRecall.compute(real: real, generated: collapsed)
        #expect(precision > 0.95 && recall < 0.1, "precision \(precision), recall \(recall)")
        let far = Tensor.randn([2000, 2], mean: 20, generator: g)
        let apart = PrecisionRecall.compute(real: real, generated: far)
        #expect(apart.precision == 0 && apart.recall == 0)
    }
}
