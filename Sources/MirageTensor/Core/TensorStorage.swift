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

    /// Allocates `count` uninitialised elements.
    public init(count: Int) {
        precondition(count >= 0, "TensorStorage: negative element count \(count)")
        self.count = count
        data = BufferPool.shared.allocate(bytes: max(count, 1) * MemoryLayout<Float>.stride)
            .bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Allocates `count` elements set to `value`.
    public convenience init(count: Int, repeating value: Float) {
        self.init(count: count)
        data.initialize(repeating: value, count: count)
    }

    deinit { BufferPool.shared.release(UnsafeMutableRawPointer(data), bytes: max(count, 1) * MemoryLayout<Float>.stride) }
}
