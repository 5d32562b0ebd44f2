/// Strided copies (permutes, expands, slices, pads) run on the same OpenMP thread pool as oneDNN
/// (libgomp), rather than on a second pool: on 2 cores two pools fight for the cores, and
/// libdispatch's `concurrentPerform` costs several hundred microseconds a call here. The
/// closure-based element-wise loops stay on one thread (see Elementwise.swift).

@_silgen_name("GOMP_parallel")
private func gompParallel(_ fn: @convention(c) (UnsafeMutableRawPointer?) -> Void,
                          _ data: UnsafeMutableRawPointer?, _ numThreads: UInt32, _ flags: UInt32)

@_silgen_name("omp_get_thread_num")
private func ompThreadNumber() -> Int32

@_silgen_name("omp_get_num_threads")
private func ompTeamSize() -> Int32

private final class ParallelJob {
    let body: (Int) -> Void
    let workers: Int
    init(_ body: @escaping (Int) -> Void, workers: Int) {
        self.body = body
        self.workers = workers
    }
}

/// Runs `body(w)` for `w` in `0..<workers` on the OpenMP pool and waits for all of them.
///
/// OpenMP may grant a smaller team than asked for (`OMP_THREAD_LIMIT`, `OMP_DYNAMIC`, or a call
/// from inside another parallel region, which gets a team of one): each thread then takes every
/// team-size-th worker, so every worker's part runs whatever the team.
func parallelWorkers(_ workers: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { escaping in
        let job = ParallelJob(escaping, workers: workers)
        let context = Unmanaged.passRetained(job).toOpaque()
        gompParallel({ raw in
            let job = Unmanaged<ParallelJob>.fromOpaque(raw!).takeUnretainedValue()
            let team = max(1, Int(ompTeamSize()))
            var w = Int(ompThreadNumber())
            while w < job.workers {
                job.body(w)
                w += team
            }
        }, context, UInt32(workers), 0)
        Unmanaged<ParallelJob>.fromOpaque(context).release()
    }
}

/// Splits `0..<count` into contiguous chunks and runs `body(range)` on each, in parallel when the
/// work is large enough to pay for a second thread. `body` must be safe to run concurrently on
/// disjoint ranges; optimizer updates use it.
///
/// ```swift
/// parallelChunks(parameter.count, grain: 1 << 15) { range in update(range) }
/// ```
///
/// - Parameters:
///   - count: The number of elements.
///   - grain: The smallest chunk worth a thread of its own (elements).
///   - body: Called with each chunk's range of indices, possibly on several threads at once.
@inline(__always)
public func parallelChunks(_ count: Int, grain: Int = 1 << 16, _ body: (Range<Int>) -> Void) {
    let workers = min(Kernels.threadCount, count / max(grain, 1))
    if workers <= 1 {
        body(0..<count)
        return
    }
    let chunk = (count + workers - 1) / workers
    parallelWorkers(workers) { w in
        let lo = w * chunk
        let hi = min(count, lo + chunk)
        if lo < hi { body(lo..<hi) }
    }
}
