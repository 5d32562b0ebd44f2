import Foundation

/// Why a data file or dataset could not be read, written or found.
///
/// Every case names the file (or dataset) and what is wrong with it, so that the message alone
/// tells a user which file to replace or which option to pass. Readers never crash on bad input
/// and never return a short dataset: a truncated, garbled or inconsistent file throws one of these.
///
/// ```swift
/// do {
///     let train = try ImageDataset.mnist(split: .train)
///     print(train.count)
/// } catch let error as DataError {
///     print(error)   // e.g. "Data/mnist/train-labels-idx1-ubyte.gz: truncated: expected 60008 bytes, found 59000"
/// }
/// ```
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not exist or cannot be opened.
    case unreadable(file: String, reason: String)
    /// The file cannot be written.
    case unwritable(file: String, reason: String)
    /// The file ends before the data its header announces (sizes in bytes).
    case truncated(file: String, expected: Int, found: Int)
    /// The file is longer than its header announces (sizes in bytes).
    case trailingBytes(file: String, expected: Int, found: Int)
    /// The gzip stream is damaged: bad header, bad checksum or bad deflate data.
    case corruptGzip(file: String, reason: String)
    /// The file does not start with the magic number of its format.
    case badMagic(file: String, expected: String, found: String)
    /// The header is readable but describes something this reader does not accept.
    case badHeader(file: String, reason: String)
    /// Two files that must describe the same samples disagree on how many there are.
    case countMismatch(file: String, count: Int, otherFile: String, otherCount: Int)
    /// A value in the file is outside its allowed range (a label of 12 among 10 classes).
    case badValue(file: String, reason: String)
    /// libpng reported an error (its message is kept).
    case png(file: String, message: String)
    /// A `.npy` file is malformed or uses a feature Mirage does not read.
    case npy(file: String, reason: String)
    /// A folder holds no usable files.
    case empty(directory: String, reason: String)
    /// No folder holding the dataset was found.
    case datasetNotFound(name: String, searched: [String], files: [String])
    /// An argument is out of its allowed range (a crop larger than the image).
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot read: \(reason)"
        case let .unwritable(file, reason):
            return "\(file): cannot write: \(reason)"
        case let .truncated(file, expected, found):
            return "\(file): truncated: expected \(expected) bytes, found \(found)"
        case let .trailingBytes(file, expected, found):
            return "\(file): \(found - expected) unexpected bytes after the data: expected \(expected) bytes, found \(found)"
        case let .corruptGzip(file, reason):
            return "\(file): corrupt gzip stream: \(reason)"
        case let .badMagic(file, expected, found):
            return "\(file): wrong magic number: expected \(expected), found \(found)"
        case let .badHeader(file, reason):
            return "\(file): bad header: \(reason)"
        case let .countMismatch(file, count, otherFile, otherCount):
            return "\(file) holds \(count) samples but \(otherFile) holds \(otherCount); they must match"
        case let .badValue(file, reason):
            return "\(file): \(reason)"
        case let .png(file, message):
            return "\(file): PNG error: \(message)"
        case let .npy(file, reason):
            return "\(file): \(reason)"
        case let .empty(directory, reason):
            return "\(directory): \(reason)"
        case let .datasetNotFound(name, searched, files):
            let list = searched.map { "  \($0)" }.joined(separator: "\n")
            return """
            dataset '\(name)' not found (looked for \(files.joined(separator: ", "))) in:
            \(list)
            Put the files in Data/\(name)/ at the repository root, pass --data-dir DIR (a folder holding \
            them or holding \(name)/), or set MIRAGE_DATA=DIR.
            """
        case let .invalidArgument(message):
            return message
        }
    }
}

extension DataError: LocalizedError {
    /// The same text as ``description``, for APIs that show `localizedDescription`.
    public var errorDescription: String? { description }
}
