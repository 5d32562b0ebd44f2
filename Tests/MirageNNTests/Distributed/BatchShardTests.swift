import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

/// A stand-in for two processes that hold the same rows: an all-reduce doubles, a gather repeats.
final class TwoIdenticalProcesses: ProcessGroup, @unchecked Sendable {
    let rank: Int
    init(rank: Int) { self.rank = rank }
    var size: Int { 2 }
    func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) { for i in values.indices { values[i] *= 2 } }
    func allReduceMax(_ values: UnsafeMutableBufferPointer<Double>) {}
    func allGather(_ bytes: [UInt8]) -> [[UInt8]] { [bytes, bytes] }
    func broadcast(_ bytes: inout [UInt8], root: Int) {}
}

@Suite struct BatchShardTests {
    /// Each shard's draw is its rows of what one process draws for the global batch, for tensors,
    /// packs of consecutive batches and per-row values; the generator ends where one process's does.
    @Test func drawsAreTheGlobalBatchsRows() {
        let global = Tensor.randn([3 * 8, 2], generator: RandomGenerator(seed: 5))
        for rank in 0..<2 {
            let shard = BatchShard(group: TwoIdenticalProcesses(rank: rank))
            let g = RandomGenerator(seed: 5)
            let mine = shard.draw(4, blocks: 3) { Tensor.randn([$0, 2], generator: g) }
            let expected = (0..<3).map { b in global.sliced(axis: 0, (b * 8 + rank * 4)..<(b * 8 + rank * 4 + 4)) }
            #expect(mine.scalars == Tensor.concat(expected, axis: 0).scalars)
            let h = RandomGenerator(seed: 5)
            _ = Tensor.randn([24, 2], generator: h)
            #expect(g.nextUniform() == h.nextUniform(), "the generator advanced as one process's")
            var counter = 0
            let values = shard.draw(4, blocks: 3) { () -> Int in defer { counter += 1 }; return counter }
            var expectedValues: [Int] = []
            for b in 0..<3 { expectedValues += Array((b * 8 + rank * 4)..<(b * 8 + rank * 4 + 4)) }
            #expect(values == expectedValues)
            #expect(shard.rows(4) == (rank * 4)..<(rank * 4 + 4))
        }
        let whole = BatchShard.whole
        #expect(whole.isWhole && whole.draw(5) { Tensor.zeros([$0, 1]) }.shape == [5, 1])
    }

    /// Synchronised batch norm in a process whose partner holds the same rows normalises like
    /// batch norm on both copies at once: the same output, the same running statistics, and the
    /// same gradients for the input, weight and bias (summed over the copies by the all-reduce).
    @Test func synchronisedBatchNormIsBatchNormOfTheGlobalBatch() {
        let x = GradCheck.input([3, 4, 2, 2], seed: 2)
        let synchronised = BatchNorm2d(4), plain = BatchNorm2d(4)
        synchronised.shard = BatchShard(group: TwoIdenticalProcesses(rank: 0))
        let r = Tensor.randn([3, 4, 2, 2], generator: RandomGenerator(seed: 3))
        let xs = x.requiringGrad(), xp = x.requiringGrad()
        let ys = synchronised(xs), yp = plain(Tensor.concat([xp, xp], axis: 0))
        expectClose(ys, yp.sliced(axis: 0, 0..<3).scalars, atol: 1e-5)
        (ys * r).sum().backward()
        (yp * Tensor.concat([r, r], axis: 0)).sum().backward()
        // The plain gradient of x sums both copies' paths; one copy's is half of it.
        expectClose(xs.grad!, (xp.grad! * 0.5).scalars, atol: 1e-4)
        expectClose(synchronised.weight!.grad! * 2, plain.weight!.grad!.scalars, atol: 1e-4)
        expectClose(synchronised.runningVar!, plain.runningVar!.scalars, atol: 1e-6)
        expectClose(synchronised.runningMean!, plain.runningMean!.scalars, atol: 1e-6)
        GradCheck.check([x]) { synchronised($0[0]) }
    }
}
