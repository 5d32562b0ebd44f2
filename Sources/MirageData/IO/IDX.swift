/// An array of unsigned bytes read from an IDX file: its dimensions and its values in row-major order.
public struct IDXArray: Equatable, Sendable {
    /// The dimensions, outermost first: `[60000, 28, 28]` for MNIST's training images.
    public var shape: [Int]
    /// The values, row-major; `values.count` is the product of ``shape``.
    public var values: [UInt8]

    /// Creates an array; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [UInt8]) {
        precondition(shape.reduce(1, *) == values.count,
                     "IDXArray: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }
}

/// The IDX format of MNIST, Fashion-MNIST, KMNIST and EMNIST, raw or gzip-compressed.
///
/// An IDX file is a 4-byte magic number (two zero bytes, a type byte, the number of
/// dimensions), one big-endian 32-bit size per dimension, then the values. Mirage reads the
/// unsigned-byte type (`0x08`) that these datasets use: images are `0x00000803`
/// (`[count, rows, columns]`), labels `0x00000801` (`[count]`). The payload must have exactly
/// the length the header announces.
///
/// ```swift
/// let images = try IDX.read("Data/mnist/t10k-images-idx3-ubyte.gz", rank: 3)
/// print(images.shape)   // [10000, 28, 28]
/// ```
///
/// - SeeAlso: <http://yann.lecun.com/exdb/mnist/> (file format section)
public enum IDX {
    /// Reads an unsigned-byte IDX file of the given rank, decompressing it if it is gzip.
    ///
    /// - Parameters:
    ///   - path: The `.gz` or raw IDX file.
    ///   - rank: The number of dimensions expected: 3 for images, 1 for labels.
    /// - Returns: The array.
    /// - Throws: ``DataError`` naming the file when it is missing, not gzip-decodable, has the
    ///   wrong magic number, an empty dimension, or a payload of the wrong length.
    public static func read(_ path: String, rank: Int) throws -> IDXArray {
        let bytes = try Gzip.decompressIfNeeded(try FileBytes.read(path), file: path)
        return try parse(bytes, rank: rank, file: path)
    }

    /// Parses the uncompressed bytes of an unsigned-byte IDX file.
    ///
    /// - Parameters:
    ///   - bytes: The file's uncompressed contents.
    ///   - rank: The number of dimensions expected.
    ///   - file: The file's name, used in error messages.
    /// - Returns: The array.
    /// - Throws: ``DataError/badMagic(file:expected:found:)``, ``DataError/badHeader(file:reason:)``,
    ///   ``DataError/truncated(file:expected:found:)`` or ``DataError/trailingBytes(file:expected:found:)``.
    public static func parse(_ bytes: [UInt8], rank: Int, file: String) throws -> IDXArray {
        precondition((1...255).contains(rank), "IDX.parse: rank \(rank) is not in 1...255")
        let expectedMagic = hex(0x0000_0800 | UInt32(rank))
        guard bytes.count >= 4 else {
            throw DataError.truncated(file: file, expected: 4 + 4 * rank, found: bytes.count)
        }
        let magic = bigEndian(bytes, at: 0)
        guard bytes[0] == 0, bytes[1] == 0, Int(bytes[3]) == rank else {
            throw DataError.badMagic(file: file, expected: expectedMagic, found: hex(magic))
        }
        guard bytes[2] == 0x08 else {
            throw DataError.badHeader(
                file: file,
                reason: "element type 0x\(String(bytes[2], radix: 16)) is not 0x08 (unsigned byte), the only type read")
        }
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else {
            throw DataError.truncated(file: file, expected: headerLength, found: bytes.count)
        }
        let shape = (0..<rank).map { Int(bigEndian(bytes, at: 4 + 4 * $0)) }
        if let zero = shape.firstIndex(of: 0) {
            throw DataError.badHeader(file: file, reason: "dimension \(zero) of \(shape) is zero")
        }
        var payload = 1
        for d in shape {
            let (product, overflow) = payload.multipliedReportingOverflow(by: d)
            guard !overflow, product < Int(Int32.max) * 16 else {
                throw DataError.badHeader(file: file, reason: "dimensions \(shape) are implausibly large")
            }
            payload = product
        }
        let expected = headerLength + payload
        if bytes.count < expected {
            throw DataError.truncated(file: file, expected: expected, found: bytes.count)
        }
        if bytes.count > expected {
            throw DataError.trailingBytes(file: file, expected: expected, found: bytes.count)
        }
        return IDXArray(shape: shape, values: Array(bytes[headerLength...]))
    }

    /// Encodes an array as an uncompressed unsigned-byte IDX file (for tests and for writing
    /// derived datasets in the same format).
    ///
    /// - Parameter array: The array to encode.
    /// - Returns: The file's bytes.
    public static func encode(_ array: IDXArray) -> [UInt8] {
        var out: [UInt8] = [0, 0, 0x08, UInt8(array.shape.count)]
        for d in array.shape {
            let v = UInt32(d)
            out += [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
        }
        return out + array.values
    }

    private static func bigEndian(_ bytes: [UInt8], at i: Int) -> UInt32 {
        UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
    }

    private static func hex(_ v: UInt32) -> String {
        let digits = String(v, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }
}
