import Foundation

/// Whole-file reads and writes that report failures as ``DataError`` values naming the file.
///
/// ```swift
/// let bytes = try FileBytes.read("Data/mnist/t10k-labels-idx1-ubyte.gz")
/// try FileBytes.write(bytes, to: "/tmp/copy.gz")
/// ```
public enum FileBytes {
    /// Reads a file's whole contents.
    ///
    /// - Parameter path: The file to read.
    /// - Returns: Its bytes.
    /// - Throws: ``DataError/unreadable(file:reason:)`` when it is missing, a folder, or unreadable.
    public static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DataError.unreadable(file: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw DataError.unreadable(file: path, reason: "is a folder, not a file")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DataError.unreadable(file: path, reason: "permission denied or I/O error")
        }
        return [UInt8](data)
    }

    /// Writes `bytes` to `path`, through a temporary file renamed into place, so that a crash
    /// never leaves half a file behind.
    ///
    /// - Parameters:
    ///   - bytes: The contents.
    ///   - path: The destination; its folder must exist.
    /// - Throws: ``DataError/unwritable(file:reason:)``.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DataError.unwritable(file: path, reason: error.localizedDescription)
        }
    }
}
