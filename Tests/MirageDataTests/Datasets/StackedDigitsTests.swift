import MirageData
import Testing

@Suite struct StackedDigitsTests {
    static let digits = MNIST.test.subset(Array(0..<300))

    /// Every channel is one of the source digits, and the label is the mode of the three
    /// digits' classes, 100·d₀ + 10·d₁ + d₂.
    @Test func labelsAreTheModeOfTheThreeDigits() {
        let stacked = Self.digits.stackedDigits(count: 500, seed: 4)
        #expect(stacked.count == 500 && stacked.sampleShape == [3, 28, 28] && stacked.classCount == 1000)
        var byPixels: [[UInt8]: Int] = [:]
        for i in 0..<Self.digits.count { byPixels[Array(Self.digits.pixels(at: i))] = Self.digits.labels[i] }
        for i in 0..<stacked.count {
            let pixels = Array(stacked.pixels(at: i))
            let classes = (0..<3).map { c in byPixels[Array(pixels[(c * 784)..<((c + 1) * 784)])] }
            #expect(classes.allSatisfy { $0 != nil }, "a channel of sample \(i) is no source digit")
            #expect(stacked.labels[i] == classes.reduce(0) { $0 * 10 + ($1 ?? 0) })
        }
        // The three channels are drawn apart: the modes spread over many of the 1,000.
        #expect(Set(stacked.labels).count > 350)
    }

    @Test func theSeedFixesTheDraw() {
        #expect(Self.digits.stackedDigits(count: 50, seed: 1).images == Self.digits.stackedDigits(count: 50, seed: 1).images)
        #expect(Self.digits.stackedDigits(count: 50, seed: 1).labels != Self.digits.stackedDigits(count: 50, seed: 2).labels)
    }

    @Test func theCatalogLoadsStackedMNIST() throws {
        guard case let .images(test) = try DatasetCatalog.load("stacked-mnist", split: .test) else {
            Issue.record("stacked-mnist is not an image dataset")
            return
        }
        #expect(test.count == 10_000 && test.channels == 3 && test.classCount == 1000)
        #expect(DatasetCatalog.names.contains("stacked-mnist"))
    }
}
