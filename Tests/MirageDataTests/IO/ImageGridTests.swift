import MirageData
import MirageTensor
import Testing

@Suite struct ImageGridTests {
    @Test func layoutMatchesMakeGrid() {
        // 5 images of 1×2×3, value i / 10: 3 per row → 2 rows; padding 1.
        let images = Tensor((0..<5).flatMap { [Float](repeating: Float($0) / 10, count: 6) }, shape: [5, 1, 2, 3])
        let grid = ImageGrid.make(images, nrow: 3, padding: 1, padValue: 1)
        #expect(grid.width == 3 * (3 + 1) + 1 && grid.height == 2 * (2 + 1) + 1 && grid.channels == 1)
        func byte(_ v: Float) -> UInt8 { UInt8(v * 255 + 0.5) }
        #expect(grid[x: 0, y: 0, channel: 0] == 255)
        #expect(grid[x: 1, y: 1, channel: 0] == byte(0))
        #expect(grid[x: 5, y: 2, channel: 0] == byte(0.1))
        #expect(grid[x: 9, y: 1, channel: 0] == byte(0.2))
        #expect(grid[x: 1, y: 4, channel: 0] == byte(0.3))
        #expect(grid[x: 7, y: 5, channel: 0] == byte(0.4))
        // The missing sixth slot stays padding.
        #expect(grid[x: 10, y: 5, channel: 0] == 255)
        #expect(grid[x: 4, y: 1, channel: 0] == 255)
    }

    @Test func rangeAndClampingLikeSaveImage() {
        let images = Tensor([-1, 0, 1, 3, -5, .nan], shape: [1, 3, 1, 2])
        let grid = ImageGrid.make(images, padding: 0, range: -1...1)
        #expect(grid.channels == 3 && grid.width == 2 && grid.height == 1)
        // Pixel (0,0) is channels (-1, 1, -5); pixel (1,0) is (0, 3, NaN).
        #expect(grid.pixels == [0, 255, 0, 128, 255, 0])
    }

    @Test func savesAPNG() throws {
        let dir = TemporaryFolder()
        let images = MNIST.test.tensor(indices: Array(0..<64))
        let path = dir.file("grid.png")
        let grid = try ImageGrid.save(images, to: path)
        #expect(grid.width == 242 && grid.height == 242)
        #expect(try PNG.read(path) == grid)
        // Image 9 sits in row 1, column 1; its pixels are the dataset's bytes.
        let digit = Array(MNIST.test.pixels(at: 9))
        #expect((0..<28).allSatisfy { y in (0..<28).allSatisfy { x in grid[x: 32 + x, y: 32 + y, channel: 0] == digit[y * 28 + x] } })
    }

    /// One picture per image, each what a one-image grid without padding gives.
    @Test func separatesABatchIntoImages() {
        let images = MNIST.test.tensor(indices: Array(0..<3), range: -1...1)
        let pictures = ImageGrid.separate(images, range: -1...1)
        #expect(pictures.count == 3 && pictures.allSatisfy { $0.width == 28 && $0.height == 28 && $0.channels == 1 })
        #expect(pictures.map(\.pixels) == (0..<3).map { Array(MNIST.test.pixels(at: $0)) })
    }

    @Test func scatterPlotDrawsPointsAndModes() {
        let ring = GaussianMixture2D.ring8()
        let image = ScatterPlot.render(ring.sample(count: 500, generator: RandomGenerator(seed: 0)), modes: ring.modes, size: 128)
        #expect(image.width == 128 && image.height == 128 && image.channels == 3)
        let white = stride(from: 0, to: image.pixels.count, by: 3).filter { image.pixels[$0] == 255 && image.pixels[$0 + 1] == 255 }.count
        #expect(white > 128 * 128 / 2 && white < 128 * 128)
        #expect(image.pixels.contains(214) && image.pixels.contains(31))
    }
}
