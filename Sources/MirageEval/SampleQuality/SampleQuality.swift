import Foundation
import MirageData
import MirageTensor

/// Scores generated MNIST digits with the judge: Fréchet distance on its penultimate features,
/// the class-prediction summary and k-NN precision and recall.
///
/// ```swift
/// let judge = try MNISTJudge.load()
/// let reference = try SampleQualityReference.mnist(split: .test, judge: judge)
/// let samples = try SampleQuality.readSamples("samples.npy")        // [N, 1, 28, 28]
/// let report = SampleQuality.evaluate(samples: samples, judge: judge, reference: reference)
/// print(report.frechetDistance, report.precision, report.recall)
/// ```
///
/// ### See Also
/// - ``FrechetDistance``
/// - ``ClassPredictionSummary``
/// - ``PrecisionRecall``
public enum SampleQuality {
    /// Computes the full report.
    ///
    /// - Parameters:
    ///   - samples: `[N, 1, 28, 28]` in [0, 1], N ≥ 4 (see ``validate(_:file:)``).
    ///   - judge: The judge.
    ///   - reference: The real images to compare with.
    ///   - confidenceThreshold: The bar for a confident prediction.
    ///   - neighbours: The k of precision and recall.
    /// - Returns: The report.
    public static func evaluate(samples: Tensor, judge: MNISTJudge, reference: SampleQualityReference,
                                confidenceThreshold: Double = 0.9, neighbours: Int = 3) -> SampleQualityReport {
        let (features, probabilities) = judge.evaluate(samples)
        let classes = ClassPredictionSummary(probabilities: probabilities, confidenceThreshold: confidenceThreshold)
        let (precision, recall) = PrecisionRecall.compute(real: reference.features, generated: features, k: neighbours)
        return SampleQualityReport(
            sampleCount: samples.shape[0], reference: reference.name, referenceCount: reference.statistics.count,
            frechetDistance: FrechetDistance.between(reference.statistics.gaussian, Gaussian(fitting: features)),
            confidentShare: classes.confidentShare, confidenceThreshold: confidenceThreshold,
            classesCovered: classes.classesCovered, classHistogram: classes.classHistogram,
            classKLToUniform: classes.classKLToUniform, classifierScore: classes.classifierScore,
            precision: precision, recall: recall, neighbours: neighbours)
    }

    /// Checks that a tensor holds MNIST-shaped images in [0, 1].
    ///
    /// - Parameters:
    ///   - samples: The tensor.
    ///   - file: The file it came from, for the message.
    /// - Throws: ``EvalError/badSamples(file:reason:)`` naming the file, for a shape other than
    ///   `[N, 1, 28, 28]` with N ≥ 4, or for NaN, ∞ or values outside [0, 1] (beyond a 10⁻⁴
    ///   rounding allowance).
    public static func validate(_ samples: Tensor, file: String) throws {
        guard samples.rank == 4, Array(samples.shape.dropFirst()) == MNISTJudge.imageShape else {
            throw EvalError.badSamples(file: file, reason: "holds an array of shape \(samples.shape); expected [N, 1, 28, 28] (float32, values in [0, 1])")
        }
        guard samples.shape[0] >= 4 else {
            throw EvalError.badSamples(file: file, reason: "holds \(samples.shape[0]) images; at least 4 are needed (10,000 for numbers comparable with the README)")
        }
        let (low, high) = samples.withUnsafeBufferPointer { v in v.reduce((Float.infinity, -Float.infinity)) { (Swift.min($0.0, $1), Swift.max($0.1, $1)) } }
        guard samples.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) else {
            throw EvalError.badSamples(file: file, reason: "holds NaN or infinite values")
        }
        guard low >= -1e-4 && high <= 1 + 1e-4 else {
            throw EvalError.badSamples(file: file, reason: "values range from \(low) to \(high); expected [0, 1] (map tanh outputs with (x + 1) / 2)")
        }
    }

    /// Reads generated samples from a float32 `.npy` file and validates them.
    ///
    /// - Parameters:
    ///   - path: The `.npy` file, `[N, 1, 28, 28]` float32 in [0, 1].
    ///   - count: Use only the first `count` samples (all when `nil`).
    /// - Returns: The samples.
    /// - Throws: MirageData's `DataError` for a missing or corrupt file,
    ///   ``EvalError/badSamples(file:reason:)`` for the wrong type, shape or values.
    public static func readSamples(_ path: String, count: Int? = nil) throws -> Tensor {
        let array = try NPY.read(path)
        guard case .float32 = array.values else {
            throw EvalError.badSamples(file: path, reason: "holds uint8 values; expected float32 in [0, 1] (divide by 255 and save as float32)")
        }
        var samples = array.tensor
        try validate(samples, file: path)
        if let count {
            guard count >= 4 && count <= samples.shape[0] else {
                throw EvalError.badSamples(file: path, reason: "--count \(count) is outside 4...\(samples.shape[0]), the images in the file")
            }
            samples = samples.sliced(axis: 0, 0..<count)
        }
        return samples
    }
}
