/// Two image datasets whose samples correspond one to one: domain A (the input) and domain B
/// (the target) of a paired translation task such as pix2pix's edges → photos.
///
/// For a ``DataLoader``, ``stacked()`` puts both images of a pair in one sample (A's channels
/// then B's), so that random crops and flips move both together; split each batch with
/// `batch.images.split(sizes: [a.channels, b.channels], axis: 1)`.
///
/// ```swift
/// let digits = try ImageDataset.mnist(split: .train)
/// let edges = try digits.sobelEdges().paired(with: digits)          // A: edges, B: digits
/// let loader = DataLoader(edges.stacked(), batchSize: 64)
/// for batch in loader {
///     let parts = batch.images.split(sizes: [1, 1], axis: 1)       // [64, 1, 28, 28] each
/// }
/// ```
public struct PairedImageDataset: Sendable {
    /// Domain A: the inputs.
    public let a: ImageDataset
    /// Domain B: the targets; sample i of B belongs with sample i of A.
    public let b: ImageDataset

    /// Pairs two datasets of the same length and image size.
    ///
    /// - Parameters:
    ///   - a: Domain A.
    ///   - b: Domain B.
    /// - Throws: ``DataError/countMismatch(file:count:otherFile:otherCount:)`` when the
    ///   lengths differ, ``DataError/invalidArgument(_:)`` when the image sizes differ.
    public init(a: ImageDataset, b: ImageDataset) throws {
        guard a.count == b.count else {
            throw DataError.countMismatch(file: a.name, count: a.count, otherFile: b.name, otherCount: b.count)
        }
        guard a.height == b.height, a.width == b.width else {
            throw DataError.invalidArgument(
                "cannot pair \(a.name) (\(a.height)×\(a.width)) with \(b.name) (\(b.height)×\(b.width)): image sizes differ")
        }
        self.a = a
        self.b = b
    }

    /// Number of pairs.
    public var count: Int { a.count }

    /// One dataset whose samples hold A's channels followed by B's, with A's labels.
    public func stacked() -> ImageDataset {
        let sizeA = a.sampleSize, sizeB = b.sampleSize
        var pixels = [UInt8]()
        pixels.reserveCapacity(count * (sizeA + sizeB))
        for i in 0..<count {
            pixels += a.pixels(at: i)
            pixels += b.pixels(at: i)
        }
        return ImageDataset(name: "\(a.name)+\(b.name)", images: pixels, labels: a.labels,
                            channels: a.channels + b.channels, height: a.height, width: a.width,
                            classCount: a.classCount)
    }
}

/// Two image datasets without correspondence, for unpaired translation (CycleGAN's horses ↔
/// zebras): each domain is sampled on its own, so the counts may differ.
///
/// ```swift
/// let domains = try ImageFolder.unpaired("Data/horse2zebra", channels: 3)
/// let horses = DataLoader(domains.a, batchSize: 1, seed: 1)
/// let zebras = DataLoader(domains.b, batchSize: 1, seed: 2)
/// ```
public struct UnpairedImageDataset: Sendable {
    /// Domain A.
    public let a: ImageDataset
    /// Domain B.
    public let b: ImageDataset

    /// Groups two domains.
    ///
    /// - Parameters:
    ///   - a: Domain A.
    ///   - b: Domain B.
    public init(a: ImageDataset, b: ImageDataset) {
        self.a = a
        self.b = b
    }
}
