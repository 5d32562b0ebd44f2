import Foundation
import MirageTensor

/// An array read from or written to a `.npy` file: its shape and its values.
public struct NPYArray: Equatable, Sendable {
    /// The element values, in one of the two types Mirage reads and writes.
    public enum Values: Equatable, Sendable {
        /// `'<f4'`: little-endian Float32.
        case float32([Float])
        /// `'|u1'`: unsigned bytes.
        case uint8([UInt8])
        /// `'<i8'`: little-endian 64-bit integers (NumPy's default for labels).
        case int64([Int64])

        /// Number of elements.
        public var count: Int {
            switch self {
            case let .float32(v): return v.count
            case let .uint8(v): return v.count
            case let .int64(v): return v.count
            }
        }
    }

    /// The dimensions; `[]` for a scalar.
    public var shape: [Int]
    /// The elements in C (row-major) order.
    public var values: Values

    /// Creates an array; the element count must equal the product of `shape`.
    public init(shape: [Int], values: Values) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == values.count,
                     "NPYArray: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// Wraps a tensor's values as Float32.
    public init(_ tensor: Tensor) {
        self.init(shape: tensor.shape, values: .float32(tensor.scalars))
    }

    /// The values as a Float32 tensor (bytes convert to 0…255).
    public var tensor: Tensor {
        switch values {
        case let .float32(v): return Tensor(v, shape: shape)
        case let .uint8(v): return Tensor(v.map(Float.init), shape: shape)
        case let .int64(v): return Tensor(v.map(Float.init), shape: shape)
        }
    }
}

/// NumPy's `.npy` format, version 1.0: Float32 (`'<f4'`), unsigned-byte (`'|u1'`) and int64
/// (`'<i8'`) arrays in C order.
///
/// Files are written byte for byte as `numpy.save` writes them: the magic `\x93NUMPY`, version
/// 1.0, a little-endian header length, then a Python dict literal padded with spaces (NumPy's
/// room for growing the first axis, then alignment of the data to 64 bytes) and a newline.
/// Other versions, types, byte orders and Fortran order are rejected with an error naming the file.
///
/// ```swift
/// let samples = Tensor.rand([16, 1, 28, 28], generator: RandomGenerator(seed: 0))
/// try NPY.write(NPYArray(samples), to: "samples.npy")    // numpy.load("samples.npy").shape == (16, 1, 28, 28)
/// let back = try NPY.read("samples.npy").tensor
/// ```
///
/// - SeeAlso: <https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html>
public enum NPY {
    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads a `.npy` file.
    ///
    /// - Parameter path: The file.
    /// - Returns: Its array.
    /// - Throws: ``DataError/npy(file:reason:)`` naming the file and the problem, or
    ///   ``DataError/unreadable(file:reason:)``.
    public static func read(_ path: String) throws -> NPYArray {
        try decode(try FileBytes.read(path), file: path)
    }

    /// Writes an array as a version 1.0 `.npy` file (through a temporary file renamed into place).
    ///
    /// - Parameters:
    ///   - array: The array.
    ///   - path: The destination.
    /// - Throws: ``DataError/unwritable(file:reason:)``.
    public static func write(_ array: NPYArray, to path: String) throws {
        try FileBytes.write(encode(array), to: path)
    }

    /// Encodes an array as the bytes of a `.npy` file.
    ///
    /// - Parameter array: The array.
    /// - Returns: The file's bytes, identical to what `numpy.save` writes for the same array.
    public static func encode(_ array: NPYArray) -> [UInt8] {
        let descr: String
        switch array.values {
        case .float32: descr = "<f4"
        case .uint8: descr = "|u1"
        case .int64: descr = "<i8"
        }
        var out = header(descr: descr, shape: array.shape)
        switch array.values {
        case let .float32(v):
            out.reserveCapacity(out.count + 4 * v.count)
            for x in v {
                let bits = x.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { out += $0 }
            }
        case let .uint8(v):
            out += v
        case let .int64(v):
            out.reserveCapacity(out.count + 8 * v.count)
            for x in v { withUnsafeBytes(of: x.littleEndian) { out += $0 } }
        }
        return out
    }

    /// The magic, version and header of a `.npy` file of `descr` values in `shape`, as
    /// `numpy.save` writes them (the data follow).
    static func header(descr: String, shape: [Int]) -> [UInt8] {
        let dims = shape.map(String.init)
        let shape = dims.count == 1 ? "(\(dims[0]),)" : "(" + dims.joined(separator: ", ") + ")"
        var header = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }"
        // NumPy leaves room for the first axis to grow to 21 digits without rewriting the data.
        if let first = dims.first { header += String(repeating: " ", count: max(0, 21 - first.count)) }
        let unpadded = magic.count + 2 + 2 + header.utf8.count + 1
        header += String(repeating: " ", count: 64 - unpadded % 64) + "\n"   // NumPy pads 1 to 64 spaces
        let length = header.utf8.count
        precondition(length <= Int(UInt16.max), "NPY.encode: header of \(length) bytes does not fit version 1.0")
        return magic + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(header.utf8)
    }

    /// Decodes the bytes of a `.npy` file.
    ///
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - file: The name to use in error messages.
    /// - Returns: The array.
    /// - Throws: ``DataError/npy(file:reason:)``.
    public static func decode(_ bytes: [UInt8], file: String) throws -> NPYArray {
        let (shape, itemSize, count, start) = try parseHeader(bytes, fileSize: bytes.count, file: file)
        if itemSize == 1 { return NPYArray(shape: shape, values: .uint8(Array(bytes[start...]))) }
        if itemSize == 8 {
            let values = bytes.withUnsafeBytes { raw in
                (0..<count).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: start + 8 * $0, as: Int64.self)) }
            }
            return NPYArray(shape: shape, values: .int64(values))
        }
        var values = [Float](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for i in 0..<count {
                values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: start + 4 * i, as: UInt32.self)))
            }
        }
        return NPYArray(shape: shape, values: .float32(values))
    }

    /// The shape, item size, element count and data offset a `.npy` file's header declares,
    /// checked against the file's size: what ``decode(_:file:)`` and ``NPYReader`` share.
    ///
    /// - Parameters:
    ///   - bytes: The file's first bytes (at least the whole header).
    ///   - fileSize: The size of the whole file.
    ///   - file: The name to use in error messages.
    /// - Throws: ``DataError/npy(file:reason:)``, ``DataError/truncated(file:expected:found:)``,
    ///   ``DataError/trailingBytes(file:expected:found:)``.
    static func parseHeader(_ bytes: [UInt8], fileSize: Int, file: String) throws -> (shape: [Int], itemSize: Int, count: Int, start: Int) {
        func fail(_ reason: String) -> DataError { .npy(file: file, reason: reason) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw fail("not a .npy file (missing the \\x93NUMPY magic)")
        }
        guard bytes[6] == 1, bytes[7] == 0 else {
            throw fail("format version \(bytes[6]).\(bytes[7]) is not supported; only 1.0 is (save with numpy.save, which writes 1.0)")
        }
        let length = Int(bytes[8]) | Int(bytes[9]) << 8
        guard bytes.count >= 10 + length else {
            throw DataError.truncated(file: file, expected: 10 + length, found: bytes.count)
        }
        guard let header = String(bytes: bytes[10..<10 + length], encoding: .ascii) else {
            throw fail("header is not ASCII text")
        }
        guard let descr = stringValue(of: "descr", in: header) else { throw fail("header has no 'descr': \(header)") }
        guard let fortran = rawValue(of: "fortran_order", in: header) else {
            throw fail("header has no 'fortran_order': \(header)")
        }
        guard fortran.hasPrefix("False") else {
            throw fail("fortran_order is True; save a C-ordered array (numpy.ascontiguousarray) instead")
        }
        guard let shape = shapeValue(in: header) else { throw fail("header has no readable 'shape': \(header)") }
        let count = try shape.reduce(1) { product, d in
            let (p, overflow) = product.multipliedReportingOverflow(by: d)
            guard !overflow else { throw fail("shape \(shape) is implausibly large") }
            return p
        }
        let itemSize: Int
        switch descr {
        case "<f4": itemSize = 4
        case "|u1", "<u1", ">u1": itemSize = 1
        case "<i8": itemSize = 8
        default:
            throw fail("dtype '\(descr)' is not supported; only '<f4' (little-endian float32), '|u1' (uint8) and '<i8' (int64) are")
        }
        let start = 10 + length
        let (bytesNeeded, tooLarge) = count.multipliedReportingOverflow(by: itemSize)
        guard !tooLarge, bytesNeeded <= Int.max - start else { throw fail("shape \(shape) is implausibly large") }
        let expected = start + bytesNeeded
        if fileSize < expected { throw DataError.truncated(file: file, expected: expected, found: fileSize) }
        if fileSize > expected { throw DataError.trailingBytes(file: file, expected: expected, found: fileSize) }
        return (shape, itemSize, count, start)
    }

    /// The text after `'key':`, with leading spaces removed.
    private static func rawValue(of key: String, in header: String) -> Substring? {
        guard let range = header.range(of: "'\(key)':") else { return nil }
        return header[range.upperBound...].drop { $0 == " " }
    }

    private static func stringValue(of key: String, in header: String) -> String? {
        guard let rest = rawValue(of: key, in: header), let quote = rest.first, quote == "'" || quote == "\"" else {
            return nil
        }
        let body = rest.dropFirst()
        guard let end = body.firstIndex(of: quote) else { return nil }
        return String(body[..<end])
    }

    private static func shapeValue(in header: String) -> [Int]? {
        guard let rest = rawValue(of: "shape", in: header), rest.first == "(", let end = rest.firstIndex(of: ")") else {
            return nil
        }
        let parts = rest[rest.index(after: rest.startIndex)..<end].split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var dims: [Int] = []
        for part in parts {
            guard let d = Int(part.hasSuffix("L") ? String(part.dropLast()) : part), d >= 0 else { return nil }
            dims.append(d)
        }
        return dims
    }
}
