import MirageModels
import MirageTensor
import Testing

@Suite struct LinearInterpolationTests {
    /// Pair p's path fills rows p·steps ..< (p + 1)·steps, from a's row to b's row, both included,
    /// evenly spaced; trailing axes keep their shape.
    @Test func pathsArePairMajorAndIncludeBothEnds() {
        let a = Tensor([0, 10, 100, 1000], shape: [2, 2, 1]), b = Tensor([3, 13, 103, 1003], shape: [2, 2, 1])
        let path = linearInterpolation(from: a, to: b, steps: 4)
        #expect(path.shape == [8, 2, 1])
        #expect(path.scalars == [0, 10, 1, 11, 2, 12, 3, 13, 100, 1000, 101, 1001, 102, 1002, 103, 1003])
    }
}
