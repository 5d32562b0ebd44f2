import MirageTensor
import MirageTestSupport
import Testing

@Suite struct ShapeTests {
    let x = Tensor.arange(0, 24).reshaped([2, 3, 4])

    @Test func reshapesShareStorage() {
        let y = x.reshaped([4, -1])
        #expect(y.shape == [4, 6])
        #expect(y.storage === x.storage)
        #expect(x.flattened(startAxis: 1).shape == [2, 12])
        #expect(x.unsqueezed(axis: 1).shape == [2, 1, 3, 4])
        #expect(x.unsqueezed(axis: -1).shape == [2, 3, 4, 1])
        #expect(x.unsqueezed(axis: 0).squeezed(axis: 0).shape == [2, 3, 4])
    }

    @Test func permutes() {
        let p = x.permuted([2, 0, 1])
        #expect(p.shape == [4, 2, 3])
        #expect(p.scalars[0..<6] == [0, 4, 8, 12, 16, 20])
        let t = Tensor.arange(0, 6).reshaped([2, 3]).transposed()
        #expect(t.scalars == [0, 3, 1, 4, 2, 5])
    }

    @Test func gradients() {
        let a = GradCheck.input([2, 3, 4], seed: 1)
        GradCheck.check([a]) { $0[0].reshaped([6, 4]) * $0[0].reshaped([6, 4]) }
        GradCheck.check([a]) { $0[0].permuted([1, 2, 0]) }
        GradCheck.check([a]) { $0[0].transposed(0, 2) }
        GradCheck.checkSecondOrder([a]) { $0[0].permuted([2, 1, 0]).pow(2) }
    }
}
