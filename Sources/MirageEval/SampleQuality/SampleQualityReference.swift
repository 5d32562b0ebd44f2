import Foundation
import MirageData
import MirageTensor

/// The real images that generated MNIST digits are compared with: their judge features (for
/// precision and recall) and the Gaussian statistics of those features (for the Fréchet
/// distance).
///
/// ```swift
/// let judge = try MNISTJudge.load()
/// let reference = try SampleQualityReference.mnist(split: .test, judge: judge)
/// ```
public struct SampleQualityReference: Sendable {
    /// The reference's name: `mnist/test`, `mnist/train`.
    public var name: String
    /// Judge features of the images used for precision and recall, `[N, 128]`.
    public var features: Tensor
    /// Feature statistics of the full reference set, for the Fréchet distance.
    public var statistics: ReferenceStatistics

    /// Creates a reference from its parts.
    ///
    /// - Parameters:
    ///   - name: A name for reports.
    ///   - features: `[N, 128]` judge features.
    ///   - statistics: The Gaussian statistics of the reference set.
    public init(name: String, features: Tensor, statistics: ReferenceStatistics) {
        self.name = name
        self.features = features
        self.statistics = statistics
    }

    /// An MNIST split as a reference.
    ///
    /// The Fréchet statistics cover the whole split (for the test split, from the cache next to
    /// the judge when it matches, see ``ReferenceStatistics/mnistTest(judge:dataDirectory:)``).
    /// Precision and recall use at most `maxNeighbourCount` images of it, a seeded random
    /// choice when the split is larger (the 60,000 training images would make the exact
    /// neighbour search 36 times slower for little change).
    ///
    /// - Parameters:
    ///   - split: Test (10,000 images) or train (60,000).
    ///   - judge: The judge.
    ///   - maxNeighbourCount: The most reference images used for precision and recall.
    ///   - dataDirectory: Where MNIST lives, if not found by MirageData's `DatasetLocator`.
    /// - Returns: The reference.
    /// - Throws: MirageData's `DataError` when MNIST cannot be read.
    public static func mnist(split: DatasetSplit, judge: MNISTJudge, maxNeighbourCount: Int = 10_000,
                             dataDirectory: String? = nil) throws -> SampleQualityReference {
        let data = try ImageDataset.mnist(split: split, dataDirectory: dataDirectory)
        let name = "mnist/\(split.rawValue)"
        let images = data.tensor(indices: Array(0..<data.count))
        let all = judge.evaluate(images).features
        let statistics = split == .test ? try ReferenceStatistics.mnistTest(judge: judge, dataDirectory: dataDirectory)
            : ReferenceStatistics(gaussian: Gaussian(fitting: all), count: data.count, dataset: name,
                                  judgeFingerprint: judge.fingerprint)
        var features = all
        if data.count > maxNeighbourCount {
            var order = Array(0..<data.count)
            RandomGenerator.derived(seed: 0, 7).shuffle(&order)
            features = all.indexSelect(axis: 0, indices: Array(order.prefix(maxNeighbourCount)))
        }
        return SampleQualityReference(name: name, features: features, statistics: statistics)
    }
}
