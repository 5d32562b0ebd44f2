#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element buffer behind one or more tensors: `count` Float32 values, 64-byte aligned so that
/// oneDNN and SIMD loops see aligned rows.
///
/// Storage is shared by views that do not move elements (``Tensor/reshaped(_:)``). Ops never write
/// into an existing storage; only explicit in-place updates (optimizer steps, under
/// ``withNoGrad(_:)``) do, through ``Tensor/withUnsafeMutableBufferPointer(_:)``.
public final class TensorStorage: @unchecked Sendable {
    /// Number of Float32 elements.
    public let count: Int
    /// Start of the buffer (at least one element is always allocated).
    public let data: UnsafeMutablePointer<Float>

    /// Keeps freed buffers in the heap instead of returning them to the system: every training
    /// step allocates the same sizes again, and fresh pages from the system cost a page fault
    /// each, which is more than the element-wise work done on them.
    private static let configureAllocator: Void = {
        #if os(Linux)
        _ = glibcMallopt(-3 /* M_MMAP_THRESHOLD */, 1 << 30)
        _ = glibcMallopt(-1 /* M_TRIM_THRESHOLD */, 1 << 30)
        #endif
    }()

    /// Allocates `count` uninitialised elements.
    public init(count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        Self.configureAllocator
        self.count = count
        var raw: UnsafeMutableRawPointer?
        let bytes = max(count, 1) * MemoryLayout<Float>.stride
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("TensorStorage: cannot allocate \(bytes) bytes")
        }
        data = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(count: count)
        data.initialize(repeating: value, count: count)
    }

    deinit { free(data) }
}

#if os(Linux)
// <malloc.h> is not part of the Glibc module.
@_silgen_name("mallopt")
private func glibcMallopt(_ parameter: Int32, _ value: Int32) -> Int32
#endif
