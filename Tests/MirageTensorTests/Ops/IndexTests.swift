import MirageTensor
import MirageTestSupport
import Testing

@Suite struct IndexTests {
    @Test func indexSelectAndGather() {
        let x = Tensor.arange(0, 12).reshaped([3, 4])
        #expect(x.indexSelect(axis: 0, indices: [2, 0, 2]).scalars == [8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11])
        #expect(x.indexSelect(axis: 1, indices: [3]).scalars == [3, 7, 11])
        let g = x.gather(axis: 1, indices: Tensor([0, 3, 1, 1, 2, 0], shape: [3, 2]))
        #expect(g.scalars == [0, 3, 5, 5, 10, 8])
    }

    @Test func gradientsAccumulateOverRepeats() {
        let a = GradCheck.input([3, 4], seed: 1)
        GradCheck.check([a]) { $0[0].indexSelect(axis: 0, indices: [1, 1, 0]) }
        GradCheck.check([a]) { $0[0].gather(axis: 0, indices: Tensor([2, 0, 1, 2, 2, 2, 0, 0], shape: [2, 4])) }
        GradCheck.checkSecondOrder([a]) { $0[0].indexSelect(axis: 1, indices: [3, 0, 3]).pow(2) }
        // Inner and last axes of a 4-D tensor, with repeats (reflection padding's pattern).
        let b = GradCheck.input([2, 3, 2, 3], seed: 2)
        GradCheck.check([b]) { $0[0].indexSelect(axis: 1, indices: [1, 0, 1, 2, 1]) }
        GradCheck.check([b]) { $0[0].indexSelect(axis: 3, indices: [1, 0, 1, 2, 1]).pow(2) }
        GradCheck.checkSecondOrder([b]) { $0[0].indexSelect(axis: 2, indices: [1, 0, 1]).pow(2) }
    }

    @Test func oneHotRows() {
        let t = Tensor.oneHot([2, 0, 1, 2], classes: 3)
        #expect(t.shape == [4, 3])
        #expect(t.scalars == [0, 0, 1, 1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(Tensor.oneHot([Int](), classes: 5).shape == [0, 5])
    }
}
