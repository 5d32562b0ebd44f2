import Foundation
import MirageTensor

/// A float32 `.npy` file written in pieces: the header for the whole array first, then rows as
/// they are made, so that an array larger than memory (ten million samples) is written in
/// constant memory. The file appears at its path only when ``finish()`` has checked that every
/// row arrived; until then it is a temporary file beside it, removed if the writer is dropped.
///
/// ```swift
/// let writer = try NPYWriter(path: "samples.npy", shape: [100_000, 1, 28, 28])
/// for chunk in chunks { try writer.append(chunk) }     // [n, 1, 28, 28] each
/// try writer.finish()
/// ```
public final class NPYWriter {
    /// The destination.
    public let path: String
    /// The whole array's shape.
    public let shape: [Int]
    /// Rows (entries along the first axis) written so far.
    public private(set) var rowsWritten = 0
    private let temporary: String
    private var handle: FileHandle?

    /// The bytes a float32 file of `shape` takes, header included.
    public static func fileSize(shape: [Int]) -> Int {
        NPY.header(descr: "<f4", shape: shape).count + 4 * shape.reduce(1, *)
    }

    /// Creates the temporary file and writes the header.
    ///
    /// - Throws: ``DataError/unwritable(file:reason:)``.
    public init(path: String, shape: [Int]) throws {
        precondition(!shape.isEmpty, "NPYWriter: the shape needs a first axis")
        self.path = path
        self.shape = shape
        temporary = path + ".partial-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(NPY.header(descr: "<f4", shape: shape))),
              let handle = FileHandle(forWritingAtPath: temporary) else {
            throw DataError.unwritable(file: path, reason: "cannot create \(temporary)")
        }
        self.handle = handle
        try handle.seekToEnd()
    }

    /// Appends rows: a tensor `[n] + shape.dropFirst()`.
    ///
    /// - Throws: ``DataError/unwritable(file:reason:)`` (a full disk, say).
    public func append(_ rows: Tensor) throws {
        precondition(Array(rows.shape.dropFirst()) == Array(shape.dropFirst()) && rowsWritten + rows.shape[0] <= shape[0],
                     "NPYWriter.append: rows \(rows.shape) do not fit \(shape) after \(rowsWritten) rows")
        guard let handle else { preconditionFailure("NPYWriter.append after finish") }
        var bytes = Data(count: 4 * rows.count)
        bytes.withUnsafeMutableBytes { out in
            rows.withUnsafeBufferPointer { values in
                for (i, x) in values.enumerated() { out.storeBytes(of: x.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
            }
        }
        do { try handle.write(contentsOf: bytes) } catch {
            throw DataError.unwritable(file: path, reason: error.localizedDescription)
        }
        rowsWritten += rows.shape[0]
    }

    /// Checks that every row was written, flushes the file to disk and moves it into place.
    ///
    /// - Throws: ``DataError/unwritable(file:reason:)``.
    public func finish() throws {
        precondition(rowsWritten == shape[0], "NPYWriter.finish: \(rowsWritten) of \(shape[0]) rows written")
        guard let handle else { return }
        do {
            try handle.synchronize()
            try handle.close()
            self.handle = nil
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            try FileManager.default.moveItem(atPath: temporary, toPath: path)
        } catch {
            throw DataError.unwritable(file: path, reason: error.localizedDescription)
        }
    }

    deinit {
        if let handle {
            try? handle.close()
            try? FileManager.default.removeItem(atPath: temporary)
        }
    }
}
