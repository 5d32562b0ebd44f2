import Foundation
import MirageData
import MirageTensor
import Testing

@Suite struct NPYTests {
    func fixture(_ name: String) -> String { (fixtures as NSString).appendingPathComponent(name) }

    @Test func readsNumPyFloat32() throws {
        let array = try NPY.read(fixture("float32_2x3x4.npy"))
        #expect(array.shape == [2, 3, 4])
        #expect(array.values == .float32((0..<24).map { Float($0) * 0.25 - 1.5 }))
        #expect(array.tensor.shape == [2, 3, 4])
        let sines = try NPY.read(fixture("float32_1000.npy"))
        guard case let .float32(v) = sines.values else { Issue.record("expected float32"); return }
        #expect(sines.shape == [1000])
        #expect(zip(v, 0..<1000).allSatisfy { Swift.abs($0 - Float(sin(Double($1)))) <= 1e-7 })
    }

    @Test func readsNumPyUInt8AndScalar() throws {
        let bytes = try NPY.read(fixture("uint8_5.npy"))
        #expect(bytes == NPYArray(shape: [5], values: .uint8([0, 1, 127, 128, 255])))
        let scalar = try NPY.read(fixture("float32_scalar.npy"))
        #expect(scalar.shape == [] && scalar.values == .float32([3.5]))
        #expect(scalar.tensor.item == 3.5)
    }

    @Test func readsNumPyInt64() throws {
        let labels = try NPY.read(fixture("int64_2x3.npy"))
        #expect(labels == NPYArray(shape: [2, 3], values: .int64([-2, 0, 1, 7, 1 << 40, -(1 << 62)])))
        #expect(labels.tensor.scalars == [-2, 0, 1, 7, Float(1 << 40), -Float(1 << 62)])
    }

    @Test(arguments: ["float32_2x3x4.npy", "uint8_5.npy", "float32_scalar.npy", "float32_1000.npy", "int64_2x3.npy"])
    func writesNumPyBytesExactly(name: String) throws {
        let original = try FileBytes.read(fixture(name))
        #expect(NPY.encode(try NPY.decode(original, file: name)) == original)
    }

    @Test func roundTripsThroughFiles() throws {
        let dir = TemporaryFolder()
        let samples = Tensor.rand([3, 1, 5, 7], generator: RandomGenerator(seed: 4))
        let path = dir.file("samples.npy")
        try NPY.write(NPYArray(samples), to: path)
        let back = try NPY.read(path)
        #expect(back.shape == [3, 1, 5, 7])
        #expect(back.tensor.scalars.map(\.bitPattern) == samples.scalars.map(\.bitPattern))
        let bytes = try FileBytes.read(path)
        #expect((bytes.count - 3 * 35 * 4) % 64 == 0, "data must start on a 64-byte boundary")
        let wide = NPYArray(shape: [123_456_789_012, 0], values: .uint8([]))
        #expect(try NPY.decode(NPY.encode(wide), file: "wide") == wide)
    }

    @Test func rejectsUnsupportedFilesClearly() throws {
        #expect(throws: DataError.npy(file: fixture("float64_2.npy"),
                                      reason: "dtype '<f8' is not supported; only '<f4' (little-endian float32), '|u1' (uint8) and '<i8' (int64) are")) {
            try NPY.read(fixture("float64_2.npy"))
        }
        #expect(throws: DataError.npy(file: fixture("fortran_2x2.npy"),
                                      reason: "fortran_order is True; save a C-ordered array (numpy.ascontiguousarray) instead")) {
            try NPY.read(fixture("fortran_2x2.npy"))
        }
        var v2 = try FileBytes.read(fixture("uint8_5.npy"))
        v2[6] = 2
        #expect(throws: DataError.npy(file: "v2", reason: "format version 2.0 is not supported; only 1.0 is (save with numpy.save, which writes 1.0)")) {
            try NPY.decode(v2, file: "v2")
        }
        #expect(throws: DataError.npy(file: "png", reason: "not a .npy file (missing the \\x93NUMPY magic)")) {
            try NPY.decode([0x89, 0x50, 0x4E, 0x47, 0, 0, 0, 0, 0, 0, 0], file: "png")
        }
    }

    @Test func truncatedAndLongFilesThrow() throws {
        let original = try FileBytes.read(fixture("float32_2x3x4.npy"))
        #expect(throws: DataError.truncated(file: "t", expected: 224, found: 220)) {
            try NPY.decode(Array(original.dropLast(4)), file: "t")
        }
        #expect(throws: DataError.truncated(file: "h", expected: 128, found: 50)) {
            try NPY.decode(Array(original.prefix(50)), file: "h")
        }
        #expect(throws: DataError.trailingBytes(file: "l", expected: 224, found: 225)) {
            try NPY.decode(original + [0], file: "l")
        }
    }
}

/// The streamed writer: a file written in pieces is byte for byte `numpy.save`'s of the whole,
/// appears only when finished, and a dropped writer leaves nothing behind.
@Suite struct NPYWriterTests {
    @Test func piecesMakeTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-npywriter-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("a.npy").path
        let whole = Tensor((0..<5 * 2 * 3).map { Float($0) * 0.5 - 3 }, shape: [5, 2, 3])
        let writer = try NPYWriter(path: path, shape: [5, 2, 3])
        try writer.append(whole.sliced(axis: 0, 0..<2))
        #expect(!FileManager.default.fileExists(atPath: path))
        try writer.append(whole.sliced(axis: 0, 2..<5))
        try writer.finish()
        #expect(try FileBytes.read(path) == NPY.encode(NPYArray(whole)))
        #expect(NPYWriter.fileSize(shape: [5, 2, 3]) == NPY.encode(NPYArray(whole)).count)
        #expect(try NPY.read(path).tensor.scalars == whole.scalars)

        let dropped = dir.appendingPathComponent("b.npy").path
        do {
            let unfinished = try NPYWriter(path: dropped, shape: [4, 1])
            try unfinished.append(Tensor([1, 2], shape: [2, 1]))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["a.npy"])
    }
}
