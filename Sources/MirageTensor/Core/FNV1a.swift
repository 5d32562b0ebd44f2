/// The 64-bit FNV-1a hash (Fowler, Noll, Vo), fed byte by byte: a fingerprint of weights,
/// configurations or a file, to tell apart things that should be the same. Not a cryptographic
/// hash.
///
/// ```swift
/// var hash = FNV1a()
/// hash.combine("mapping.weight".utf8)
/// hash.combine(weight)                  // its Float32 values' bytes
/// print(String(hash.value, radix: 16))
/// ```
public struct FNV1a: Equatable, Sendable {
    /// The hash of everything combined so far.
    public private(set) var value: UInt64 = 0xCBF2_9CE4_8422_2325

    public init() {}

    /// Adds bytes, in order.
    public mutating func combine<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        for byte in bytes { combine(byte: byte) }
    }

    /// Adds one byte.
    @inline(__always) public mutating func combine(byte: UInt8) {
        value = (value ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
    }

    /// Adds a tensor's values, each as the four bytes of its Float32 bit pattern, least
    /// significant first.
    public mutating func combine(_ tensor: Tensor) {
        tensor.withUnsafeBufferPointer { values in
            for v in values {
                let bits = v.bitPattern
                for shift in stride(from: 0, to: 32, by: 8) { combine(byte: UInt8(truncatingIfNeeded: bits >> UInt32(shift))) }
            }
        }
    }
}
