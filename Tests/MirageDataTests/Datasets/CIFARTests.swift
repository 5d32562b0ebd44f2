import Foundation
import MirageData
import Testing

@Suite struct CIFARTests {
    /// `count` records: label i % 10, then red, green, blue planes of value (i + channel) % 256.
    func records(_ count: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for i in 0..<count {
            bytes.append(UInt8(i % 10))
            for c in 0..<3 { bytes += [UInt8](repeating: UInt8((i + c) % 256), count: 1024) }
        }
        return bytes
    }

    @Test func readsRecordsAsPlanarImages() throws {
        let dir = TemporaryFolder()
        let path = dir.write("batch.bin", records(3))
        let batch = try CIFAR10.readBatch(path, expectedRecords: nil)
        #expect(batch.labels == [0, 1, 2])
        #expect(batch.images.count == 3 * 3072)
        #expect(batch.images[3072 + 1024] == 2 && batch.images[2 * 3072 + 2048] == 4)
    }

    @Test func wrongRecordSizeThrows() throws {
        let dir = TemporaryFolder()
        let path = dir.write("odd.bin", records(2) + [1, 2, 3])
        #expect(throws: DataError.badHeader(
            file: path,
            reason: "6149 bytes are not a whole number of 3073-byte records (label + 3×32×32 image); 3 bytes left over")) {
            try CIFAR10.readBatch(path, expectedRecords: nil)
        }
        let short = dir.write("short.bin", records(9_999))
        #expect(throws: DataError.truncated(file: short, expected: 30_730_000, found: 30_726_927)) {
            try CIFAR10.readBatch(short)
        }
    }

    @Test func badLabelThrows() throws {
        let dir = TemporaryFolder()
        var bytes = records(4)
        bytes[2 * 3073] = 10
        let path = dir.write("label.bin", bytes)
        #expect(throws: DataError.badValue(file: path, reason: "label 10 of record 2 is not in 0..<10")) {
            try CIFAR10.readBatch(path, expectedRecords: nil)
        }
    }

    @Test func testSplitFromAnUnpackedArchive() throws {
        let dir = TemporaryFolder()
        dir.write("cifar-10-batches-bin/test_batch.bin", records(10_000))
        let test = try ImageDataset.cifar10(split: .test, dataDirectory: dir.path)
        #expect(test.count == 10_000 && test.sampleShape == [3, 32, 32] && test.classCount == 10)
        #expect(test.classHistogram == [Int](repeating: 1000, count: 10))
        #expect(test.pixels(at: 7).first == 7 && test.pixels(at: 7).last == 9)
        // The training split is missing: the error lists where it looked and how to fix it.
        let error = #expect(throws: DataError.self) { try ImageDataset.cifar10(split: .train, dataDirectory: dir.path) }
        guard case let .datasetNotFound(name, searched, files)? = error else {
            Issue.record("expected datasetNotFound, got \(String(describing: error))"); return
        }
        #expect(name == "cifar10" && files.count == 5)
        #expect(searched.contains(dir.path) && searched.contains(dir.file("cifar-10-batches-bin")))
        #expect("\(error!)".contains("--data-dir"))
    }
}
