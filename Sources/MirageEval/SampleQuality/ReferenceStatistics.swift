import Foundation
import MirageData
import MirageNN
import MirageTensor

/// The Gaussian summary (mean and covariance) of the judge's features on a reference image set,
/// cached in a safetensors file so that every Fréchet distance against it is computed from the
/// same numbers.
///
/// Mirage ships the statistics of the 10,000 MNIST test images under the shipped judge in
/// `Data/judge/mnist-test-stats.safetensors`, next to the judge. The file records the judge's
/// ``MNISTJudge/fingerprint``; ``mnistTest(judge:dataDirectory:)`` uses the cache only when it
/// matches the judge in hand and recomputes otherwise (a few seconds), so statistics of one
/// judge are never compared with features of another. Values are stored as Float32.
///
/// ```swift
/// let judge = try MNISTJudge.load()
/// let test = try ReferenceStatistics.mnistTest(judge: judge)
/// let fake = Gaussian(fitting: judge.evaluate(samples).features)
/// print(FrechetDistance.between(test.gaussian, fake))
/// ```
public struct ReferenceStatistics: Sendable {
    /// The mean and covariance of the features.
    public var gaussian: Gaussian
    /// How many images the statistics summarise.
    public var count: Int
    /// Which images: `mnist/test`, `mnist/train`.
    public var dataset: String
    /// The ``MNISTJudge/fingerprint`` of the judge that computed the features.
    public var judgeFingerprint: String

    /// The cache's file name for the MNIST test set, in the judge's folder.
    public static let mnistTestFileName = "mnist-test-stats.safetensors"

    /// Creates statistics from their parts.
    ///
    /// - Parameters:
    ///   - gaussian: The mean and covariance.
    ///   - count: The number of images behind them.
    ///   - dataset: A name for the image set.
    ///   - judgeFingerprint: The judge's fingerprint.
    public init(gaussian: Gaussian, count: Int, dataset: String, judgeFingerprint: String) {
        self.gaussian = gaussian
        self.count = count
        self.dataset = dataset
        self.judgeFingerprint = judgeFingerprint
    }

    /// Computes the statistics of `images` under `judge`.
    ///
    /// - Parameters:
    ///   - judge: The judge.
    ///   - images: `(N, 1, 28, 28)` in [0, 1], N ≥ 2.
    ///   - dataset: A name for the image set.
    /// - Returns: The statistics.
    public static func compute(judge: MNISTJudge, images: Tensor, dataset: String) -> ReferenceStatistics {
        ReferenceStatistics(gaussian: Gaussian(fitting: judge.evaluate(images).features), count: images.shape[0],
                            dataset: dataset, judgeFingerprint: judge.fingerprint)
    }

    /// The statistics of the 10,000 MNIST test images under `judge`: read from
    /// `mnist-test-stats.safetensors` in the judge's folder when that file exists and was made
    /// by the same judge, computed otherwise.
    ///
    /// - Parameters:
    ///   - judge: The judge.
    ///   - dataDirectory: Where MNIST lives, if not found by MirageData's `DatasetLocator`.
    /// - Returns: The statistics.
    /// - Throws: MirageData's `DataError` when MNIST is needed and cannot be read.
    public static func mnistTest(judge: MNISTJudge, dataDirectory: String? = nil) throws -> ReferenceStatistics {
        if let cache = cachePath(for: judge), let cached = try? read(from: cache),
           cached.judgeFingerprint == judge.fingerprint, cached.dataset == "mnist/test" {
            return cached
        }
        let test = try ImageDataset.mnist(split: .test, dataDirectory: dataDirectory)
        return compute(judge: judge, images: test.tensor(indices: Array(0..<test.count)), dataset: "mnist/test")
    }

    /// Where the MNIST test statistics of a loaded judge are cached: next to its weights.
    ///
    /// - Parameter judge: A judge loaded from a file.
    /// - Returns: The cache path, or `nil` for a judge made in memory.
    public static func cachePath(for judge: MNISTJudge) -> String? {
        judge.weightsPath.map { (($0 as NSString).deletingLastPathComponent as NSString).appendingPathComponent(mnistTestFileName) }
    }

    /// Writes the statistics as safetensors (`mean`, `covariance`, and metadata for the rest).
    ///
    /// - Parameter path: The destination; its folder must exist.
    /// - Throws: ``EvalError/unwritable(file:reason:)``.
    public func write(to path: String) throws {
        let d = gaussian.dimension
        let tensors = ["mean": Tensor(gaussian.mean.map(Float.init), shape: [d]), "covariance": gaussian.covariance.tensor]
        let metadata = ["dataset": dataset, "count": String(count), "judge_fingerprint": judgeFingerprint]
        do { try Checkpoint(tensors: tensors, metadata: metadata).write(to: URL(fileURLWithPath: path)) } catch {
            throw EvalError.unwritable(file: path, reason: "\(error)")
        }
    }

    /// Reads statistics written by ``write(to:)``.
    ///
    /// - Parameter path: The file.
    /// - Returns: The statistics.
    /// - Throws: ``EvalError/badFile(file:reason:)`` when the file is missing, damaged or lacks
    ///   an entry.
    public static func read(from path: String) throws -> ReferenceStatistics {
        let file: Checkpoint
        do { file = try Checkpoint.read(from: URL(fileURLWithPath: path)) } catch let error as CheckpointError {
            throw EvalError.badFile(file: path, reason: error.problem)
        }
        guard let mean = file.tensors["mean"], mean.rank == 1, let covariance = file.tensors["covariance"],
              covariance.shape == [mean.count, mean.count] else {
            throw EvalError.badFile(file: path, reason: "expected tensors 'mean' [d] and 'covariance' [d, d], found \(file.tensors.mapValues(\.shape))")
        }
        guard let dataset = file.metadata["dataset"], let count = file.metadata["count"].flatMap(Int.init),
              let fingerprint = file.metadata["judge_fingerprint"] else {
            throw EvalError.badFile(file: path, reason: "metadata lacks dataset, count or judge_fingerprint: \(file.metadata)")
        }
        return ReferenceStatistics(gaussian: Gaussian(mean: mean.scalars.map(Double.init), covariance: Matrix(covariance)),
                                   count: count, dataset: dataset, judgeFingerprint: fingerprint)
    }
}
