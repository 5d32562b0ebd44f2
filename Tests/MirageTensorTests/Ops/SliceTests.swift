import MirageTensor
import MirageTestSupport
import Testing

@Suite struct SliceTests {
    let x = Tensor.arange(0, 24).reshaped([2, 3, 4])

    @Test func slicesAndPads() {
        let s = x.sliced([0..<2, 1..<3, 2..<4])
        #expect(s.shape == [2, 2, 2])
        #expect(s.scalars == [6, 7, 10, 11, 18, 19, 22, 23])
        #expect(x.sliced(axis: 2, 1..<2).scalars == [1, 5, 9, 13, 17, 21])
        let p = Tensor([1, 2, 3, 4], shape: [2, 2]).padded([(1, 0), (0, 2)], value: -1)
        #expect(p.shape == [3, 4])
        #expect(p.scalars == [-1, -1, -1, -1, 1, 2, -1, -1, 3, 4, -1, -1])
    }

    @Test func concatSplitChunk() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2]), b = Tensor([5, 6], shape: [2, 1])
        let c = Tensor.concat([a, b], axis: 1)
        #expect(c.shape == [2, 3])
        #expect(c.scalars == [1, 2, 5, 3, 4, 6])
        let parts = c.split(sizes: [2, 1], axis: 1)
        #expect(parts[0].scalars == a.scalars && parts[1].scalars == b.scalars)
        let chunks = Tensor.arange(0, 7).chunked(3)
        #expect(chunks.map(\.shape) == [[3], [3], [1]])
        #expect(Tensor.concat(chunks).scalars == Tensor.arange(0, 7).scalars)
    }

    @Test func gradients() {
        let a = GradCheck.input([2, 3, 4], seed: 1), b = GradCheck.input([2, 1, 4], seed: 2)
        GradCheck.check([a]) { $0[0].sliced([1..<2, 0..<3, 1..<3]) }
        GradCheck.check([a]) { $0[0].padded([(1, 1), (0, 2)]) }
        GradCheck.check([a, b]) { Tensor.concat([$0[0], $0[1], $0[0]], axis: 1) }
        GradCheck.check([a]) { $0[0].split(sizes: [1, 2], axis: 1)[1] * $0[0].chunked(2, axis: 0)[0].sliced(axis: 1, 0..<2) }
        GradCheck.checkSecondOrder([a, b]) { Tensor.concat([$0[0], $0[1]], axis: 1).pow(2).sliced(axis: 2, 1..<3).padded([(0, 0), (1, 0)]) }
    }
}
