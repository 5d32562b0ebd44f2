import Dispatch

/// Splits `0..<count` into contiguous chunks and runs `body(range)` on each, in parallel when the
/// work is large enough to pay for waking a second thread.
///
/// - Parameters:
///   - count: The number of elements.
///   - grain: The smallest chunk worth a thread of its own (elements).
@inline(__always)
func parallelChunks(_ count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let workers = min(Kernels.threadCount, count / max(grain, 1))
    if workers <= 1 {
        body(0..<count)
        return
    }
    let chunk = (count + workers - 1) / workers
    DispatchQueue.concurrentPerform(iterations: workers) { w in
        let lo = w * chunk
        let hi = min(count, lo + chunk)
        if lo < hi { body(lo..<hi) }
    }
}
