import Foundation
import MirageData
import MirageTestSupport
import Testing

/// Every reader a user feeds a file to, on deterministic corruptions of a good file (truncations,
/// flipped bytes, header numbers edited to huge, negative or zero values, trailing garbage):
/// each mutant must read or throw a `DataError` naming the file, never trap. The libFuzzer
/// targets of `scripts/fuzz` search the same readers further.
@Suite struct ReaderMutationTests {
    func fixture(_ name: String) -> String { (fixtures as NSString).appendingPathComponent(name) }

    /// Runs `read` on every mutant; counts how many were rejected.
    func survive(_ good: [UInt8], file: String, _ read: ([UInt8]) throws -> Void) -> (mutants: Int, rejected: Int) {
        var rejected = 0
        let mutants = Mutations.of(good)
        for (name, bytes) in mutants {
            do { try read(bytes) } catch let error as DataError {
                rejected += 1
                #expect(error.description.contains(file), "\(name): \(error) does not name \(file)")
            } catch {
                Issue.record("\(name): unexpected error type \(error)")
            }
        }
        return (mutants.count, rejected)
    }

    @Test(arguments: ["float32_2x3x4.npy", "uint8_5.npy", "int64_2x3.npy", "float32_scalar.npy"])
    func npy(_ name: String) throws {
        let good = try FileBytes.read(fixture(name))
        let (mutants, rejected) = survive(good, file: name) { _ = try NPY.decode($0, file: name) }
        #expect(rejected > mutants / 2, "only \(rejected) of \(mutants) corrupt \(name) files were rejected")
    }

    @Test(arguments: ["gray_5x3.png", "rgb_4x3.png", "rgba_3x2.png", "palette_4x2.png", "gray16_4x2.png"])
    func png(_ name: String) throws {
        let good = try FileBytes.read(fixture(name))
        let (mutants, rejected) = survive(good, file: name) { _ = try PNG.decode($0, file: name) }
        // PNG checks a CRC on every chunk, so nearly every change is caught.
        #expect(rejected > mutants / 2, "only \(rejected) of \(mutants) corrupt \(name) files were rejected")
    }

    @Test func idxRawAndGzipped() throws {
        let array = IDXArray(shape: [3, 4, 5], values: (0..<60).map { UInt8($0 * 4) })
        let raw = IDX.encode(array)
        // Most bytes of an IDX file are pixels, and any pixel value is valid: only the header's
        // and the size's corruptions must be rejected, every truncation among them.
        let (_, rejected) = survive(raw, file: "images-idx3-ubyte") {
            _ = try IDX.parse($0, rank: 3, file: "images-idx3-ubyte")
        }
        #expect(rejected >= Mutations.of(raw).filter { $0.name.hasPrefix("truncated") }.count)
        let gz = try Gzip.compress(raw)
        _ = survive(gz, file: "images-idx3-ubyte.gz") {
            _ = try IDX.parse(Gzip.decompressIfNeeded($0, file: "images-idx3-ubyte.gz"), rank: 3, file: "images-idx3-ubyte.gz")
        }
    }

    @Test func cifarBatch() throws {
        let folder = TemporaryFolder()
        var good: [UInt8] = []
        for i in 0..<3 { good += [UInt8(i)] + (0..<3072).map { UInt8(($0 + i) % 256) } }
        let path = folder.file("data_batch_1.bin")
        for expected in [3, nil] as [Int?] {
            _ = survive(good, file: path) { bytes in
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                _ = try CIFAR10.readBatch(path, expectedRecords: expected)
            }
        }
    }
}
