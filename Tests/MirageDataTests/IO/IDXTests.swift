import Foundation
import MirageData
import Testing

@Suite struct IDXTests {
    @Test func mnistCountsAndShapes() {
        #expect(MNIST.train.count == 60_000)
        #expect(MNIST.test.count == 10_000)
        for split in [MNIST.train, MNIST.test] {
            #expect(split.sampleShape == [1, 28, 28])
            #expect(split.classCount == 10)
            #expect(split.images.count == split.count * 784)
        }
        #expect(MNIST.train.classHistogram == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
        #expect(MNIST.test.classHistogram == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    }

    @Test func mnistPixelStatistics() {
        #expect(Swift.abs(MNIST.train.meanPixel - 0.13066) < 0.00005)
        #expect(MNIST.train.pixelRange == 0...255)
        // The first training digit is a 5; its top rows are blank and its centre is inked.
        #expect(MNIST.train.labels.prefix(5) == [5, 0, 4, 1, 9])
        #expect(MNIST.train.pixels(at: 0).prefix(28 * 4).allSatisfy { $0 == 0 })
        #expect(MNIST.train.pixels(at: 0).max()! == 255)
    }

    @Test func rawAndGzipFilesReadTheSame() throws {
        let dir = TemporaryFolder()
        let images = IDXArray(shape: [3, 2, 4], values: (0..<24).map(UInt8.init))
        let labels = IDXArray(shape: [3], values: [2, 0, 1])
        dir.write("raw-images", IDX.encode(images))
        dir.write("gz-images.gz", try Gzip.compress(IDX.encode(images)))
        #expect(try IDX.read(dir.file("raw-images"), rank: 3) == images)
        #expect(try IDX.read(dir.file("gz-images.gz"), rank: 3) == images)
        dir.write("labels.gz", try Gzip.compress(IDX.encode(labels)))
        let set = try ImageDataset.idx(images: dir.file("gz-images.gz"), labels: dir.file("labels.gz"), name: "tiny")
        #expect(set.count == 3 && set.height == 2 && set.width == 4 && set.classCount == 3)
        #expect(Array(set.pixels(at: 1)) == (8..<16).map(UInt8.init))
    }

    @Test func transposedImagesStandUpright() throws {
        let dir = TemporaryFolder()
        // One 2×3 image stored column by column: columns (0,1), (2,3), (4,5).
        dir.write("i", IDX.encode(IDXArray(shape: [1, 3, 2], values: [0, 1, 2, 3, 4, 5])))
        dir.write("l", IDX.encode(IDXArray(shape: [1], values: [4])))
        let set = try ImageDataset.idx(images: dir.file("i"), labels: dir.file("l"), name: "t", transposed: true)
        #expect(set.height == 2 && set.width == 3 && set.classCount == 5)
        #expect(set.images == [0, 2, 4, 1, 3, 5])
    }

    @Test func truncatedPayloadThrows() throws {
        let dir = TemporaryFolder()
        var bytes = IDX.encode(IDXArray(shape: [4, 3, 3], values: [UInt8](repeating: 7, count: 36)))
        bytes.removeLast(5)
        let path = dir.write("short.gz", try Gzip.compress(bytes))
        #expect(throws: DataError.truncated(file: path, expected: 52, found: 47)) { try IDX.read(path, rank: 3) }
        let header = dir.write("header", Array(bytes.prefix(9)))
        #expect(throws: DataError.truncated(file: header, expected: 16, found: 9)) { try IDX.read(header, rank: 3) }
    }

    @Test func trailingBytesThrow() throws {
        let dir = TemporaryFolder()
        let path = dir.write("long", IDX.encode(IDXArray(shape: [2], values: [1, 2])) + [0])
        #expect(throws: DataError.trailingBytes(file: path, expected: 10, found: 11)) { try IDX.read(path, rank: 1) }
    }

    @Test func truncatedGzipStreamThrows() throws {
        let dir = TemporaryFolder()
        let full = try Gzip.compress(IDX.encode(IDXArray(shape: [50, 8, 8], values: (0..<3200).map { UInt8($0 % 251) })))
        let path = dir.write("cut.gz", Array(full.prefix(full.count / 2)))
        let error = #expect(throws: DataError.self) { try IDX.read(path, rank: 3) }
        guard case let .corruptGzip(file, reason)? = error else {
            Issue.record("expected corruptGzip, got \(String(describing: error))"); return
        }
        #expect(file == path && reason.contains("ends early"))
    }

    @Test func garbledGzipThrows() throws {
        let dir = TemporaryFolder()
        var bytes = try Gzip.compress(IDX.encode(IDXArray(shape: [50, 8, 8], values: (0..<3200).map { UInt8($0 % 251) })))
        for i in 12..<bytes.count - 8 { bytes[i] ^= 0x5A }
        let path = dir.write("garbled.gz", bytes)
        let error = #expect(throws: DataError.self) { try IDX.read(path, rank: 3) }
        guard case let .corruptGzip(file, _)? = error else {
            Issue.record("expected corruptGzip, got \(String(describing: error))"); return
        }
        #expect(file == path)
        #expect("\(error!)".hasPrefix(path + ": corrupt gzip stream"))
    }

    @Test func wrongMagicThrows() throws {
        let dir = TemporaryFolder()
        let labels = dir.write("labels", IDX.encode(IDXArray(shape: [2], values: [1, 2])))
        #expect(throws: DataError.badMagic(file: labels, expected: "0x00000803", found: "0x00000801")) {
            try IDX.read(labels, rank: 3)
        }
        let junk = dir.write("junk", Array("PK\u{3}\u{4}not an idx file".utf8))
        #expect(throws: DataError.badMagic(file: junk, expected: "0x00000801", found: "0x504b0304")) {
            try IDX.read(junk, rank: 1)
        }
        let ints = dir.write("ints", [0, 0, 0x0C, 1, 0, 0, 0, 1, 0, 0, 0, 5])
        #expect(throws: DataError.badHeader(file: ints, reason: "element type 0xc is not 0x08 (unsigned byte), the only type read")) {
            try IDX.read(ints, rank: 1)
        }
    }

    @Test func countMismatchThrows() throws {
        let dir = TemporaryFolder()
        let images = dir.write("images", IDX.encode(IDXArray(shape: [3, 2, 2], values: [UInt8](repeating: 0, count: 12))))
        let labels = dir.write("labels", IDX.encode(IDXArray(shape: [2], values: [0, 1])))
        #expect(throws: DataError.countMismatch(file: images, count: 3, otherFile: labels, otherCount: 2)) {
            try ImageDataset.idx(images: images, labels: labels, name: "x", classCount: 10)
        }
    }

    @Test func labelOutOfRangeThrows() throws {
        let dir = TemporaryFolder()
        let images = dir.write("images", IDX.encode(IDXArray(shape: [2, 1, 1], values: [0, 0])))
        let labels = dir.write("labels", IDX.encode(IDXArray(shape: [2], values: [3, 12])))
        #expect(throws: DataError.badValue(file: labels, reason: "label 12 of sample 1 is not in 0..<10")) {
            try ImageDataset.idx(images: images, labels: labels, name: "x", classCount: 10)
        }
    }

    @Test func missingFileNamesIt() {
        #expect(throws: DataError.unreadable(file: "/nonexistent/images.gz", reason: "no such file")) {
            try IDX.read("/nonexistent/images.gz", rank: 3)
        }
    }

    @Test func concatenatedGzipMembersAreOneStream() throws {
        let a = try Gzip.compress([1, 2, 3]), b = try Gzip.compress([4, 5])
        #expect(try Gzip.decompress(a + b, file: "x") == [1, 2, 3, 4, 5])
        #expect(throws: DataError.corruptGzip(file: "x", reason: "3 unexpected bytes after the end of the gzip stream")) {
            try Gzip.decompress(a + [9, 9, 9], file: "x")
        }
    }
}
