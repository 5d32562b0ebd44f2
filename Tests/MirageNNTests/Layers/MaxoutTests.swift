import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct MaxoutTests {
    /// Output feature i is the largest of linear features i, out + i, …, (pieces − 1)·out + i.
    @Test func takesTheLargestPieceOfEachFeature() {
        let m = Maxout(3, 4, pieces: 5, generator: RandomGenerator(seed: 1))
        let x = Tensor.randn([6, 3], generator: RandomGenerator(seed: 2))
        let y = m(x)
        #expect(y.shape == [6, 4])
        let z = m.linear(x).scalars
        for n in 0..<6 {
            for i in 0..<4 {
                let pieces = (0..<5).map { z[n * 20 + $0 * 4 + i] }
                #expect(y.scalars[n * 4 + i] == pieces.max()!)
            }
        }
        #expect(m.namedParameters().map(\.0) == ["linear.weight", "linear.bias"])
    }

    /// First and second order against finite differences: the second order is what a gradient
    /// penalty on a maxout critic differentiates.
    @Test func gradientsMatchFiniteDifferences() {
        let m = Maxout(3, 2, pieces: 3, generator: RandomGenerator(seed: 3))
        let x = GradCheck.input([4, 3], seed: 4)
        GradCheck.check([x]) { m($0[0]) }
        GradCheck.check([x, m.linear.weight]) { xs in
            xs[0].matmul(transposed: xs[1]).reshaped([4, 3, 2]).max(axis: 1)
        }
        GradCheck.checkSecondOrder([x]) { m($0[0]).pow(2) }
    }
}
