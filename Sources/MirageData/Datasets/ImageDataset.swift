import MirageTensor

/// Which part of a dataset to load.
public enum DatasetSplit: String, CaseIterable, Sendable {
    /// The training images.
    case train
    /// The held-out test images.
    case test
}

/// Labelled images held as unsigned bytes: MNIST, CIFAR-10, image folders and the domains
/// derived from them.
///
/// Pixels are stored as `UInt8` (four times smaller than Float32; 47 MB for MNIST's training
/// set) in N×C×H×W order. ``DataLoader`` converts batches to Float32 tensors as it goes, and
/// ``tensor(indices:range:)`` converts a chosen set of samples at once.
///
/// ```swift
/// let train = try ImageDataset.mnist(split: .train)
/// print(train.count, train.channels, train.height, train.width)   // 60000 1 28 28
/// let first = train.tensor(indices: Array(0..<16))               // [16, 1, 28, 28] in [0, 1]
/// ```
///
/// ### See Also
/// - ``DataLoader``
/// - ``PairedImageDataset``
public struct ImageDataset: Sendable {
    /// A short name for messages and reports: `mnist/train`, `cifar10/test`.
    public var name: String
    /// The pixels, N×C×H×W, row-major, 0 (black) to 255 (white).
    public var images: [UInt8]
    /// One class index per image, in `0..<classCount`.
    public var labels: [Int]
    /// Number of images per sample (1 for gray, 3 for RGB).
    public let channels: Int
    /// Image height in pixels.
    public let height: Int
    /// Image width in pixels.
    public let width: Int
    /// Number of classes; labels lie in `0..<classCount` (1 for unlabelled data).
    public let classCount: Int

    /// Creates a dataset from pixels and labels.
    ///
    /// The sizes must agree (`images.count == labels.count * channels * height * width`) and
    /// every label must lie in `0..<classCount`: readers check their files before calling this,
    /// so a disagreement here is a programming error and stops the program.
    ///
    /// - Parameters:
    ///   - name: A short name for messages.
    ///   - images: N×C×H×W bytes.
    ///   - labels: N class indices.
    ///   - channels: C.
    ///   - height: H.
    ///   - width: W.
    ///   - classCount: The number of classes.
    public init(name: String, images: [UInt8], labels: [Int], channels: Int, height: Int, width: Int,
                classCount: Int) {
        precondition(channels > 0 && height > 0 && width > 0 && classCount > 0,
                     "ImageDataset(\(name)): channels \(channels), height \(height), width \(width), classCount \(classCount) must be positive")
        precondition(images.count == labels.count * channels * height * width,
                     "ImageDataset(\(name)): \(images.count) bytes do not hold \(labels.count) images of \(channels)×\(height)×\(width)")
        precondition(labels.allSatisfy { (0..<classCount).contains($0) },
                     "ImageDataset(\(name)): a label lies outside 0..<\(classCount)")
        self.name = name
        self.images = images
        self.labels = labels
        self.channels = channels
        self.height = height
        self.width = width
        self.classCount = classCount
    }

    /// Number of samples.
    public var count: Int { labels.count }

    /// Bytes per sample: C×H×W.
    public var sampleSize: Int { channels * height * width }

    /// The shape of one sample, `[C, H, W]`.
    public var sampleShape: [Int] { [channels, height, width] }

    /// The bytes of sample `index` (C×H×W).
    public func pixels(at index: Int) -> ArraySlice<UInt8> {
        precondition((0..<count).contains(index), "ImageDataset(\(name)).pixels: index \(index) outside 0..<\(count)")
        return images[index * sampleSize ..< (index + 1) * sampleSize]
    }

    /// How many samples each class has, indexed by class.
    public var classHistogram: [Int] {
        var histogram = [Int](repeating: 0, count: classCount)
        for label in labels { histogram[label] += 1 }
        return histogram
    }

    /// A dataset holding only the samples at `indices`, in that order.
    ///
    /// - Parameter indices: Sample indices; each must lie in `0..<count`.
    /// - Returns: The selection, with the same image size and classes.
    public func subset(_ indices: [Int]) -> ImageDataset {
        var pixels = [UInt8]()
        pixels.reserveCapacity(indices.count * sampleSize)
        for i in indices { pixels += self.pixels(at: i) }
        return ImageDataset(name: name, images: pixels, labels: indices.map { labels[$0] }, channels: channels,
                            height: height, width: width, classCount: classCount)
    }

    /// The samples at `indices` as a Float32 tensor `[indices.count, C, H, W]`.
    ///
    /// - Parameters:
    ///   - indices: Sample indices; each must lie in `0..<count`.
    ///   - range: The values that bytes 0 and 255 map to, linearly (`0...1` or `-1...1`).
    /// - Returns: The images as a tensor.
    public func tensor(indices: [Int], range: ClosedRange<Float> = 0...1) -> Tensor {
        let size = sampleSize
        let storage = TensorStorage(count: indices.count * size)
        let scale = (range.upperBound - range.lowerBound) / 255
        images.withUnsafeBufferPointer { src in
            for (row, i) in indices.enumerated() {
                precondition((0..<count).contains(i), "ImageDataset(\(name)).tensor: index \(i) outside 0..<\(count)")
                let from = src.baseAddress! + i * size, to = storage.data + row * size
                for k in 0..<size { to[k] = range.lowerBound + scale * Float(from[k]) }
            }
        }
        return Tensor(storage: storage, shape: [indices.count, channels, height, width])
    }

    /// The smallest and largest pixel byte over all samples (`nil` when there are none).
    public var pixelRange: ClosedRange<UInt8>? {
        guard let lo = images.min(), let hi = images.max() else { return nil }
        return lo...hi
    }

    /// The mean pixel value over all samples, scaled to [0, 1].
    public var meanPixel: Double {
        guard !images.isEmpty else { return 0 }
        var total: UInt64 = 0
        images.withUnsafeBufferPointer { for b in $0 { total &+= UInt64(b) } }
        return Double(total) / Double(images.count) / 255
    }

    /// This dataset followed by `other`'s samples (same image size and classes).
    ///
    /// - Parameter other: The samples to append.
    /// - Returns: The concatenation, named after this dataset.
    public func appending(_ other: ImageDataset) -> ImageDataset {
        precondition(sampleShape == other.sampleShape && classCount == other.classCount,
                     "ImageDataset.appending: \(name) \(sampleShape) with \(classCount) classes vs \(other.name) \(other.sampleShape) with \(other.classCount) classes")
        return ImageDataset(name: name, images: images + other.images, labels: labels + other.labels,
                            channels: channels, height: height, width: width, classCount: classCount)
    }
}
