import MirageData
import Testing

@Suite struct DerivedDomainTests {
    static let digits = MNIST.test.subset(Array(0..<200))

    @Test func invertedFlipsEveryPixel() {
        let inverted = Self.digits.inverted()
        #expect(zip(inverted.images, Self.digits.images).allSatisfy { Int($0) + Int($1) == 255 })
        #expect(inverted.labels == Self.digits.labels && inverted.name.hasSuffix("-inverted"))
    }

    @Test func sobelOnAKnownStep() {
        // A 4×4 image, left half 0, right half 255: a vertical edge between columns 1 and 2.
        let step = ImageDataset(name: "step", images: [0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255, 0, 0, 255, 255],
                                labels: [0], channels: 1, height: 4, width: 4, classCount: 1)
        let edges = step.sobelEdges()
        // Rows 1 and 2: |gx| = 4·255 at columns 1 and 2, so magnitude / 4 = 255; column 3 also
        // sees a step, into the zero border beyond the image; column 0 sees only zeros.
        #expect(Array(edges.pixels(at: 0)[4..<8]) == [0, 255, 255, 255])
        #expect(edges.sampleShape == [1, 4, 4])
        let flat = ImageDataset(name: "flat", images: [UInt8](repeating: 0, count: 16), labels: [0], channels: 1,
                                height: 4, width: 4, classCount: 1)
        #expect(flat.sobelEdges().images.allSatisfy { $0 == 0 })
    }

    @Test func edgesPairWithDigits() throws {
        let pairs = try Self.digits.sobelEdges().paired(with: Self.digits)
        #expect(pairs.count == 200 && pairs.a.sampleShape == [1, 28, 28])
        #expect(pairs.b.images == Self.digits.images)
        // Edges are strongest at stroke borders: the digit's blank corners have none.
        #expect(pairs.a.pixels(at: 0).prefix(28).allSatisfy { $0 == 0 })
        #expect(pairs.a.meanPixel > 0.05)
        #expect(throws: DataError.self) { try Self.digits.paired(with: MNIST.test.subset([0, 1])) }
    }

    @Test func thickeningIsA3x3MaxFilter() {
        var dot = [UInt8](repeating: 0, count: 25)
        dot[12] = 200
        dot[0] = 50
        let image = ImageDataset(name: "dot", images: dot, labels: [0], channels: 1, height: 5, width: 5, classCount: 1)
        let thick = image.thickened().images
        let want: [UInt8] = [50, 50, 0, 0, 0,
                             50, 200, 200, 200, 0,
                             0, 200, 200, 200, 0,
                             0, 200, 200, 200, 0,
                             0, 0, 0, 0, 0]
        #expect(thick == want)
        let digits = Self.digits.thickened()
        #expect(zip(digits.images, Self.digits.images).allSatisfy { $0 >= $1 })
        #expect(digits.meanPixel > Self.digits.meanPixel * 1.5)
    }

    @Test func colorizedIsSeededAndLegible() {
        let a = Self.digits.colorized(seed: 3), b = Self.digits.colorized(seed: 3), c = Self.digits.colorized(seed: 4)
        #expect(a.channels == 3 && a.sampleShape == [3, 28, 28] && a.labels == Self.digits.labels)
        #expect(a.images == b.images && a.images != c.images)
        // Sample i's colours depend on (seed, i) only: colouring a subset gives the same pixels.
        let firstTen = MNIST.test.subset(Array(0..<10)).colorized(seed: 3)
        #expect(firstTen.images == Array(a.images.prefix(10 * 3 * 784)))
        for i in 0..<20 {
            let pixels = Array(a.pixels(at: i)), gray = Array(Self.digits.pixels(at: i))
            // Background = colour where the digit is 0, foreground where it is 255.
            guard let bg = gray.firstIndex(of: 0), let fg = gray.firstIndex(of: 255) else { continue }
            let luma = { (k: Int) -> Float in
                (0.299 * Float(pixels[k]) + 0.587 * Float(pixels[784 + k]) + 0.114 * Float(pixels[1568 + k])) / 255
            }
            #expect(Swift.abs(luma(bg) - luma(fg)) >= 0.34)
        }
        // Colours vary between images.
        let backgrounds = Set((0..<50).map { i in [0, 784, 1568].map { a.pixels(at: i)[i * 2352 + $0] } })
        #expect(backgrounds.count > 40)
    }

    @Test func catalogLoadsDerivedDomainsPairedWithDigits() throws {
        guard case let .paired(edges) = try DatasetCatalog.load("mnist-edges", split: .test, dataDirectory: mnistFolder) else {
            Issue.record("mnist-edges must load as a paired dataset"); return
        }
        #expect(edges.a.images == MNIST.test.sobelEdges().images && edges.b.images == MNIST.test.images)
        guard case let .paired(colored) = try DatasetCatalog.load("mnist-colored", split: .test, dataDirectory: mnistFolder, seed: 5)
        else { Issue.record("mnist-colored must load as a paired dataset"); return }
        #expect(colored.a.channels == 3 && colored.a.pixels(at: 0) == MNIST.test.subset([0]).colorized(seed: 5).pixels(at: 0))
        guard case let .images(mnist) = try DatasetCatalog.load("mnist", split: .train, dataDirectory: mnistFolder) else {
            Issue.record("mnist must load as plain images"); return
        }
        #expect(mnist.count == 60_000)
        #expect(throws: DataError.invalidArgument(
            "'ring8' is a 2-D toy distribution, not an image dataset; image datasets: mnist, fashion-mnist, kmnist, emnist, cifar10, mnist-edges, mnist-inverted, mnist-thick, mnist-colored, stacked-mnist")) {
            try DatasetCatalog.load("ring8", split: .train)
        }
        #expect(DatasetCatalog.names.count == 15 && DatasetCatalog.isToy("moons") && !DatasetCatalog.isToy("mnist"))
    }
}
