import MirageTensor
import Testing

@Suite struct ParallelTests {
    /// parallelChunks called from inside another parallel region gets an OpenMP team of one
    /// thread: every chunk must still run (they were skipped, leaving elements untouched).
    @Test func everyChunkRunsWhenOpenMPGrantsFewerThreads() {
        let n = 1 << 12
        let marks = UnsafeMutablePointer<Int32>.allocate(capacity: 2 * n)
        marks.initialize(repeating: 0, count: 2 * n)
        defer { marks.deallocate() }
        parallelChunks(2, grain: 1) { outer in
            for o in outer {
                parallelChunks(n, grain: 64) { inner in
                    for i in inner { marks[o * n + i] += 1 }
                }
            }
        }
        let counts = UnsafeBufferPointer(start: marks, count: 2 * n)
        #expect(counts.allSatisfy { $0 == 1 }, "\(counts.filter { $0 != 1 }.count) of \(2 * n) elements were not visited exactly once")
    }
}
