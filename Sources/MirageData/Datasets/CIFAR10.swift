/// CIFAR-10's binary version: 32×32 RGB images in 10 classes, 50,000 for training in five
/// batch files and 10,000 for testing.
///
/// Each file is a sequence of 3073-byte records: one label byte, then 1024 red, 1024 green and
/// 1024 blue bytes (row-major planes, so C×H×W as Mirage stores images). Not bundled: unpack
/// `cifar-10-binary.tar.gz` into `Data/cifar10/` (the files may also sit in its
/// `cifar-10-batches-bin/` subfolder).
///
/// ```swift
/// let train = try ImageDataset.cifar10(split: .train)
/// print(train.sampleShape, CIFAR10.classNames[train.labels[0]])   // [3, 32, 32] frog
/// ```
///
/// - SeeAlso: <https://www.cs.toronto.edu/~kriz/cifar.html>
public enum CIFAR10 {
    /// Bytes per record: a label and a 3×32×32 image.
    public static let recordSize = 1 + 3 * 32 * 32
    /// Records in each of the six official batch files.
    public static let recordsPerFile = 10_000
    /// The classes, by label.
    public static let classNames = ["airplane", "automobile", "bird", "cat", "deer",
                                    "dog", "frog", "horse", "ship", "truck"]

    /// The batch files of a split.
    ///
    /// - Parameter split: Train or test.
    /// - Returns: `data_batch_1.bin` … `data_batch_5.bin`, or `test_batch.bin`.
    public static func fileNames(_ split: DatasetSplit) -> [String] {
        split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
    }

    /// Reads one batch file.
    ///
    /// - Parameters:
    ///   - path: The `.bin` file.
    ///   - expectedRecords: The number of records the file must hold; `nil` accepts any
    ///     positive whole number of records.
    /// - Returns: The images (C×H×W each) and their labels.
    /// - Throws: ``DataError`` naming the file when its size is not a whole number of records,
    ///   the count differs from `expectedRecords`, or a label is above 9.
    public static func readBatch(_ path: String, expectedRecords: Int? = recordsPerFile) throws
        -> (images: [UInt8], labels: [Int]) {
        let bytes = try FileBytes.read(path)
        if let expectedRecords {
            let expected = expectedRecords * recordSize
            if bytes.count < expected { throw DataError.truncated(file: path, expected: expected, found: bytes.count) }
            if bytes.count > expected { throw DataError.trailingBytes(file: path, expected: expected, found: bytes.count) }
        }
        guard !bytes.isEmpty, bytes.count % recordSize == 0 else {
            throw DataError.badHeader(
                file: path,
                reason: "\(bytes.count) bytes are not a whole number of \(recordSize)-byte records (label + 3×32×32 image); \(bytes.count % recordSize) bytes left over")
        }
        let n = bytes.count / recordSize
        var images = [UInt8](repeating: 0, count: n * (recordSize - 1))
        var labels = [Int](repeating: 0, count: n)
        bytes.withUnsafeBufferPointer { src in
            images.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    labels[i] = Int(src[i * recordSize])
                    (dst.baseAddress! + i * (recordSize - 1))
                        .update(from: src.baseAddress! + i * recordSize + 1, count: recordSize - 1)
                }
            }
        }
        if let bad = labels.firstIndex(where: { $0 > 9 }) {
            throw DataError.badValue(file: path, reason: "label \(labels[bad]) of record \(bad) is not in 0..<10")
        }
        return (images, labels)
    }
}

extension ImageDataset {
    /// CIFAR-10 (see ``CIFAR10``): 50,000 training or 10,000 test images, 3×32×32, 10 classes.
    ///
    /// ```swift
    /// let test = try ImageDataset.cifar10(split: .test, dataDirectory: "/data/cifar-10-batches-bin")
    /// ```
    ///
    /// - Parameters:
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    /// - Returns: The split, named `cifar10/<split>`.
    /// - Throws: ``DataError/datasetNotFound(name:searched:files:)`` or a reader error naming
    ///   the damaged file.
    public static func cifar10(split: DatasetSplit, dataDirectory: String? = nil) throws -> ImageDataset {
        let files = CIFAR10.fileNames(split)
        // The official archive unpacks into cifar-10-batches-bin/.
        let folder = try DatasetLocator.locate("cifar10", files: files, dataDirectory: dataDirectory,
                                               subfolders: ["cifar-10-batches-bin"])
        var images = [UInt8](), labels = [Int]()
        for file in files {
            let batch = try CIFAR10.readBatch(DatasetLocator.path(of: file, in: folder))
            images += batch.images
            labels += batch.labels
        }
        return ImageDataset(name: "cifar10/\(split.rawValue)", images: images, labels: labels, channels: 3,
                            height: 32, width: 32, classCount: 10)
    }
}
