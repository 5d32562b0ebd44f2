import Foundation
import MirageData
import Testing

@Suite struct PNGTests {
    struct Expected: Decodable {
        let width: Int
        let height: Int
        let channels: Int
        let bits: Int
        let pixels: [Int]
    }

    /// What PIL decoded from each fixture (scripts/make_png_fixtures.py).
    static let expected: [String: Expected] = {
        let url = URL(fileURLWithPath: fixtures).appendingPathComponent("png_expected.json")
        do {
            return try JSONDecoder().decode([String: Expected].self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()

    func fixture(_ name: String) -> String { (fixtures as NSString).appendingPathComponent(name) }

    @Test(arguments: ["gray_5x3.png", "rgb_4x3.png", "rgba_3x2.png", "palette_4x2.png"])
    func eightBitFixturesMatchPIL(name: String) throws {
        let want = try #require(Self.expected[name])
        let image = try PNG.read(fixture(name))
        #expect(image.width == want.width && image.height == want.height && image.channels == want.channels)
        #expect(image.pixels.map(Int.init) == want.pixels)
    }

    @Test func sixteenBitGrayScalesToEightBits() throws {
        let want = try #require(Self.expected["gray16_4x2.png"])
        #expect(want.bits == 16)
        let image = try PNG.read(fixture("gray16_4x2.png"))
        #expect(image.channels == 1 && image.width == 4 && image.height == 2)
        for (got, v) in zip(image.pixels, want.pixels) {
            #expect(Swift.abs(Int(got) - Int((Double(v) / 257).rounded())) <= 1, "16-bit \(v) read as \(got)")
        }
    }

    @Test func conversionsOnRead() throws {
        let gray = try PNG.read(fixture("gray_5x3.png"), channels: 3)
        let source = try PNG.read(fixture("gray_5x3.png"))
        #expect(gray.channels == 3)
        for p in 0..<15 {
            #expect(gray.pixels[3 * p] == source.pixels[p] && gray.pixels[3 * p + 1] == source.pixels[p]
                && gray.pixels[3 * p + 2] == source.pixels[p])
        }
        let rgba = try PNG.read(fixture("rgb_4x3.png"), channels: 4)
        #expect(stride(from: 3, to: rgba.pixels.count, by: 4).allSatisfy { rgba.pixels[$0] == 255 })
        // Red, green and blue palette entries have increasing luminance in that order: 54, 182, 18 of 255 in sRGB.
        let palette = try PNG.read(fixture("palette_4x2.png"), channels: 1)
        #expect(palette.channels == 1)
        #expect(palette.pixels[1] > palette.pixels[0] && palette.pixels[0] > palette.pixels[2])
        // Dropping alpha composites onto black: the transparent pixel turns black, opaque ones keep their colour.
        let flat = try PNG.read(fixture("rgba_3x2.png"), channels: 3)
        let full = try PNG.read(fixture("rgba_3x2.png"))
        #expect(Array(flat.pixels[0..<3]) == [0, 0, 0])
        #expect(Array(flat.pixels[3..<6]) == Array(full.pixels[4..<7]))
    }

    @Test(arguments: [1, 2, 3, 4])
    func roundTrip(channels: Int) throws {
        let dir = TemporaryFolder()
        let pixels = (0..<(7 * 5 * channels)).map { UInt8(($0 * 37 + 11) % 256) }
        // libpng keeps 8-bit colour unchanged whatever the alpha, so every sample survives.
        let image = RasterImage(width: 7, height: 5, channels: channels, pixels: pixels)
        let path = dir.file("round.png")
        try PNG.write(image, to: path)
        #expect(try PNG.read(path) == image)
        #expect(try PNG.decode(try PNG.encode(image)) == image)
        #expect(try FileBytes.read(path).prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    @Test func truncatedFilesThrowNamingTheFile() throws {
        let dir = TemporaryFolder()
        let image = RasterImage(width: 40, height: 30, channels: 3, pixels: (0..<3600).map { UInt8($0 * 7 % 256) })
        let bytes = try PNG.encode(image)
        for keep in [4, 20, 40, bytes.count / 2, bytes.count - 13] {
            let path = dir.write("cut\(keep).png", Array(bytes.prefix(keep)))
            let error = #expect(throws: DataError.self) { try PNG.read(path) }
            guard case let .png(file, message)? = error else {
                Issue.record("expected a PNG error for \(keep) bytes, got \(String(describing: error))"); continue
            }
            #expect(file == path && !message.isEmpty)
        }
    }

    @Test func corruptFilesThrow() throws {
        let dir = TemporaryFolder()
        var bytes = try PNG.encode(RasterImage(width: 16, height: 16, channels: 1, pixels: (0..<256).map { UInt8($0) }))
        // Damage the compressed pixel data inside the IDAT chunk (its CRC then fails too).
        let idat = try #require(bytes.indices.first { bytes[$0..<$0 + 4].elementsEqual("IDAT".utf8) })
        for i in idat + 6..<idat + 16 { bytes[i] ^= 0xFF }
        let path = dir.write("corrupt.png", bytes)
        #expect(throws: DataError.self) { try PNG.read(path) }
        let text = dir.write("text.png", Array("this is not a PNG file at all".utf8))
        let error = #expect(throws: DataError.self) { try PNG.read(text) }
        #expect("\(error!)".hasPrefix(text + ": PNG error: "))
    }

    @Test func planarConversionsRoundTrip() {
        let planar: [UInt8] = [1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]   // 2 channels of 2×3
        let image = RasterImage(planar: planar, channels: 2, height: 2, width: 3)
        #expect(image.pixels == [1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60])
        #expect(image.planar == planar)
        #expect(image[x: 2, y: 1, channel: 1] == 60)
        #expect(image.columns(1..<3).pixels == [2, 20, 3, 30, 5, 50, 6, 60])
    }
}
