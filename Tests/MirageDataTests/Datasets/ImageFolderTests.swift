import Foundation
import MirageData
import Testing

@Suite struct ImageFolderTests {
    /// An RGB image whose every pixel is (value, value + 1, value + 2).
    func solid(width: Int, height: Int, value: UInt8) -> RasterImage {
        RasterImage(width: width, height: height, channels: 3,
                    pixels: (0..<width * height).flatMap { _ in [value, value &+ 1, value &+ 2] })
    }

    @Test func pairedImagesSplitInTheMiddle() throws {
        let dir = TemporaryFolder()
        for (name, value) in [("b.png", UInt8(100)), ("a.png", UInt8(10)), ("c.png", UInt8(200))] {
            // Left half `value`, right half `value + 50`.
            var image = solid(width: 8, height: 3, value: value)
            for y in 0..<3 { for x in 4..<8 { for c in 0..<3 { image[x: x, y: y, channel: c] = value + 50 + UInt8(c) } } }
            try PNG.write(image, to: dir.file(name))
        }
        dir.write("notes.txt", Array("ignored".utf8))
        let pairs = try ImageFolder.paired(dir.path, channels: 3)
        #expect(pairs.count == 3 && pairs.a.sampleShape == [3, 3, 4] && pairs.b.sampleShape == [3, 3, 4])
        // Sorted by file name: a, b, c.
        #expect((0..<3).map { pairs.a.pixels(at: $0).first! } == [10, 100, 200])
        #expect((0..<3).map { pairs.b.pixels(at: $0).first! } == [60, 150, 250])
        // Planar: the green plane follows the red one.
        #expect(pairs.a.pixels(at: 0)[12] == 11)
        let gray = try ImageFolder.paired(dir.path, channels: 1)
        #expect(gray.a.channels == 1)
    }

    @Test func unpairedDomains() throws {
        let dir = TemporaryFolder()
        dir.folder("trainA")
        dir.folder("trainB")
        try PNG.write(solid(width: 4, height: 4, value: 1), to: dir.file("trainA/1.png"))
        for i in 0..<3 { try PNG.write(solid(width: 4, height: 4, value: UInt8(20 * i)), to: dir.file("trainB/\(i).png")) }
        let domains = try ImageFolder.unpaired(dir.path, channels: 3)
        #expect(domains.a.count == 1 && domains.b.count == 3)
        #expect(domains.b.classCount == 1 && domains.b.labels == [0, 0, 0])
    }

    @Test func mixedSizesOddWidthsAndEmptyFoldersThrow() throws {
        let dir = TemporaryFolder()
        dir.folder("mixed")
        dir.folder("odd")
        try PNG.write(solid(width: 4, height: 4, value: 0), to: dir.file("mixed/a.png"))
        try PNG.write(solid(width: 6, height: 4, value: 0), to: dir.file("mixed/b.png"))
        let error = #expect(throws: DataError.self) { try ImageFolder.images(dir.file("mixed"), channels: 3) }
        #expect("\(error!)".hasPrefix(dir.file("mixed/b.png") + ": is 6×4 but"))

        try PNG.write(solid(width: 5, height: 2, value: 0), to: dir.file("odd/a.png"))
        #expect(throws: DataError.badValue(file: dir.file("odd/a.png"),
                                           reason: "width 5 is odd; a pix2pix pair is two equal halves A|B side by side")) {
            try ImageFolder.paired(dir.file("odd"), channels: 3)
        }

        dir.write("jpegs/photo.jpg", [0xFF, 0xD8])
        #expect(throws: DataError.empty(directory: dir.file("jpegs"),
                                        reason: "holds no .png files (it has 1 JPEG files: convert them, e.g. `mogrify -format png *.jpg`)")) {
            try ImageFolder.images(dir.file("jpegs"), channels: 3)
        }
        let missing = dir.file("nothing-here")
        #expect(throws: DataError.self) { try ImageFolder.images(missing, channels: 3) }

        dir.write("broken/a.png", [0x89, 0x50, 0x4E, 0x47])
        let broken = #expect(throws: DataError.self) { try ImageFolder.images(dir.file("broken"), channels: 3) }
        #expect("\(broken!)".hasPrefix(dir.file("broken/a.png")))
    }
}
