#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Tensor buffers, with freed large ones kept by exact size for the next allocation of that size.
///
/// A training step allocates the same sizes every step, and fresh pages from the system cost a
/// page fault each, more than the element-wise work done on them; so freed buffers of
/// ``minimumPooledBytes`` or more are kept rather than returned. Keeping them by exact size, not
/// in the C heap, matters: glibc's heap told never to give memory back (the earlier way to the
/// same end) fragmented, and a 256×256 CycleGAN step peaked at 4.2 GB resident with 2.4 GB of
/// live tensors (2.6 GB with this pool).
///
/// The pool holds at most twice the largest number of live bytes seen so far (enough for the
/// buffers of two phases of a step, a generator's update and a discriminator's, to wait for the
/// next step side by side); a buffer that would exceed that pushes out the buffers that have
/// waited longest. Smaller buffers go straight to `malloc`.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()

    /// Buffers below this size are not pooled: the C heap serves them well.
    static let minimumPooledBytes = 1 << 16

    private let lock = NSLock()
    /// Idle buffers by size, each list in the order they were freed.
    private var idle: [Int: [(buffer: UnsafeMutableRawPointer, freedAt: Int)]] = [:]
    private var releases = 0
    /// Bytes in `idle`.
    private var pooledBytes = 0
    /// Bytes of pooled-size buffers now in use, and the most there have been.
    private var liveBytes = 0
    private var peakLiveBytes = 0

    /// A 64-byte aligned buffer of `bytes` bytes, uninitialised.
    func allocate(bytes: Int) -> UnsafeMutableRawPointer {
        if bytes >= Self.minimumPooledBytes {
            lock.lock()
            liveBytes += bytes
            peakLiveBytes = max(peakLiveBytes, liveBytes)
            let reused = idle[bytes]?.popLast()?.buffer
            if reused != nil {
                pooledBytes -= bytes
                if idle[bytes]!.isEmpty { idle[bytes] = nil }
            }
            lock.unlock()
            if let reused { return reused }
        }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes")
        }
        return raw
    }

    /// Returns a buffer from ``allocate(bytes:)`` with the size it was allocated with.
    func release(_ buffer: UnsafeMutableRawPointer, bytes: Int) {
        guard bytes >= Self.minimumPooledBytes else { return free(buffer) }
        var evicted: [UnsafeMutableRawPointer] = []
        lock.lock()
        liveBytes -= bytes
        while pooledBytes + bytes > 2 * peakLiveBytes,
              let oldest = idle.min(by: { $0.value[0].freedAt < $1.value[0].freedAt })?.key {
            evicted.append(idle[oldest]!.removeFirst().buffer)
            pooledBytes -= oldest
            if idle[oldest]!.isEmpty { idle[oldest] = nil }
        }
        releases += 1
        idle[bytes, default: []].append((buffer, releases))
        pooledBytes += bytes
        lock.unlock()
        evicted.forEach { free($0) }
    }
}
