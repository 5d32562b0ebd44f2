/// The few protocol-buffer encodings TensorBoard's event files need, written by hand so that
/// Mirage needs no protobuf library: varints, 32- and 64-bit fields, and length-delimited fields
/// (strings, bytes, nested messages). Fields are appended in the order given.
///
/// ```swift
/// var m = ProtobufEncoder()
/// m.string(1, "loss")
/// m.float(2, 0.25)
/// let bytes = m.bytes
/// ```
public struct ProtobufEncoder {
    /// The encoded message so far.
    public private(set) var bytes: [UInt8] = []

    public init() {}

    private mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    private mutating func key(_ field: Int, _ wireType: UInt64) { varint(UInt64(field) << 3 | wireType) }

    /// An int32, int64 or enum field (negative values take ten bytes, as protobuf specifies).
    public mutating func int(_ field: Int, _ value: Int64) {
        key(field, 0)
        varint(UInt64(bitPattern: value))
    }

    /// A double field.
    public mutating func double(_ field: Int, _ value: Double) {
        key(field, 1)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// A float field.
    public mutating func float(_ field: Int, _ value: Float) {
        key(field, 5)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    /// A bytes field, or an embedded message's encoding.
    public mutating func data(_ field: Int, _ value: [UInt8]) {
        key(field, 2)
        varint(UInt64(value.count))
        bytes += value
    }

    /// A string field, UTF-8.
    public mutating func string(_ field: Int, _ value: String) { data(field, Array(value.utf8)) }

    /// An embedded message.
    public mutating func message(_ field: Int, _ build: (inout ProtobufEncoder) -> Void) {
        var inner = ProtobufEncoder()
        build(&inner)
        data(field, inner.bytes)
    }
}

/// Reads the fields of a protocol-buffer message, for tests and tools that check what
/// ``ProtobufEncoder`` wrote.
public struct ProtobufDecoder {
    /// One field's value by wire type.
    public enum Value: Equatable {
        case varint(UInt64)
        case fixed64(UInt64)
        case fixed32(UInt32)
        case bytes([UInt8])
    }

    /// The fields of `bytes` in order, as (field number, value).
    ///
    /// - Throws: ``DataError`` for a truncated message or an unknown wire type.
    public static func fields(_ bytes: [UInt8], file: String = "<memory>") throws -> [(Int, Value)] {
        var i = 0
        func varint() throws -> UInt64 {
            var result: UInt64 = 0, shift: UInt64 = 0
            while true {
                guard i < bytes.count, shift < 64 else { throw DataError.badValue(file: file, reason: "protobuf varint runs past the end at byte \(i)") }
                let b = bytes[i]
                i += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
        }
        func take(_ n: Int) throws -> [UInt8] {
            guard n >= 0, i + n <= bytes.count else { throw DataError.badValue(file: file, reason: "protobuf field of \(n) bytes runs past the end at byte \(i)") }
            defer { i += n }
            return Array(bytes[i..<(i + n)])
        }
        func little(_ b: [UInt8]) -> UInt64 { b.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) } }
        var fields: [(Int, Value)] = []
        while i < bytes.count {
            let key = try varint()
            let field = Int(key >> 3)
            switch key & 7 {
            case 0: fields.append((field, .varint(try varint())))
            case 1: fields.append((field, .fixed64(little(try take(8)))))
            case 2: fields.append((field, .bytes(try take(Int(try varint())))))
            case 5: fields.append((field, .fixed32(UInt32(little(try take(4))))))
            default: throw DataError.badValue(file: file, reason: "protobuf wire type \(key & 7) of field \(field) is not supported")
            }
        }
        return fields
    }
}
