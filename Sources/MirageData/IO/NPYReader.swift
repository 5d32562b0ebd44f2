import Foundation
import MirageTensor

/// A float32 `.npy` file read a range of rows at a time, for inputs larger than memory (ten
/// million samples): the header is read and checked against the file's size when it is opened,
/// exactly as ``NPY/read(_:)`` checks it, and rows are read only when asked for.
///
/// ```swift
/// let reader = try NPYReader("samples.npy")            // shape [N, 1, 28, 28]
/// for start in stride(from: 0, to: reader.rows, by: 4096) {
///     let chunk = try reader.read(rows: start..<min(start + 4096, reader.rows))
/// }
/// ```
public final class NPYReader {
    /// The file.
    public let path: String
    /// The array's shape.
    public let shape: [Int]
    /// Whether the values are float32 (the only type ``read(rows:)`` returns); uint8 and int64
    /// files open, so that a caller can say what it wanted instead.
    public let isFloat32: Bool
    private let start: Int
    private let handle: FileHandle

    /// Opens a `.npy` file and reads its header.
    ///
    /// - Throws: ``DataError`` naming the file: unreadable, not a `.npy` file, a type other than
    ///   float32, uint8 or int64, or a size that does not match the header.
    public init(_ path: String) throws {
        self.path = path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw DataError.unreadable(file: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot be opened" : "no such file")
        }
        self.handle = handle
        let size: Int
        do {
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
        } catch { throw DataError.unreadable(file: path, reason: error.localizedDescription) }
        let prefix = Array((try? handle.read(upToCount: min(size, 10 + Int(UInt16.max)))) ?? Data())
        let header = try NPY.parseHeader(prefix, fileSize: size, file: path)
        shape = header.shape
        isFloat32 = header.itemSize == 4
        start = header.start
    }

    deinit { try? handle.close() }

    /// Entries along the first axis (1 for a scalar).
    public var rows: Int { shape.first ?? 1 }

    /// The rows in `range`, `[range.count] + shape.dropFirst()`.
    ///
    /// - Throws: ``DataError/unreadable(file:reason:)`` when the file cannot be read (it shrank).
    public func read(rows range: Range<Int>) throws -> Tensor {
        precondition(isFloat32, "NPYReader.read: \(path) does not hold float32 values")
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "NPYReader.read: rows \(range) outside 0..<\(rows)")
        let rowSize = shape.dropFirst().reduce(1, *)
        let count = range.count * rowSize
        let data: Data
        do {
            try handle.seek(toOffset: UInt64(start + 4 * range.lowerBound * rowSize))
            data = try handle.read(upToCount: 4 * count) ?? Data()
        } catch { throw DataError.unreadable(file: path, reason: error.localizedDescription) }
        guard data.count == 4 * count else {
            throw DataError.truncated(file: path, expected: start + 4 * range.upperBound * rowSize, found: start + 4 * range.lowerBound * rowSize + data.count)
        }
        var values = [Float](repeating: 0, count: count)
        data.withUnsafeBytes { raw in
            for i in 0..<count { values[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self))) }
        }
        return Tensor(values, shape: [range.count] + shape.dropFirst())
    }
}
