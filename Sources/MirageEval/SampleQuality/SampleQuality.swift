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
        var scores = Scores(reference: reference, confidenceThreshold: confidenceThreshold)
        scores.add(judge.evaluate(samples))
        return scores.report(reference: reference, neighbours: neighbours)
    }

    /// ``evaluate(samples:judge:reference:confidenceThreshold:neighbours:)`` of the samples in a
    /// float32 `.npy` file, read and judged `chunk` images at a time, in memory that does not grow
    /// with the file: the Fréchet statistics and the class summary are accumulated chunk by
    /// chunk, and precision and recall, which compare sets of equal size as Kynkäänniemi et al.
    /// do, keep the features of the first samples only, as many as the reference has.
    ///
    /// - Parameters:
    ///   - path: The `.npy` file, `[N, 1, 28, 28]` float32 in [0, 1].
    ///   - count: Score only the first `count` samples (all when `nil`).
    ///   - each: Called with every chunk of images, in order (to copy them elsewhere).
    /// - Throws: What ``readSamples(_:count:)`` throws, naming the file.
    public static func evaluate(file path: String, count: Int? = nil, judge: MNISTJudge, reference: SampleQualityReference,
                                confidenceThreshold: Double = 0.9, neighbours: Int = 3, chunk: Int = 4096,
                                each: (Tensor) throws -> Void = { _ in }) throws -> SampleQualityReport {
        let (reader, n) = try openSamples(path, count: count)
        var scores = Scores(reference: reference, confidenceThreshold: confidenceThreshold)
        for start in stride(from: 0, to: n, by: chunk) {
            let images = try reader.read(rows: start..<min(start + chunk, n))
            try validateValues(images, file: path)
            try each(images)
            scores.add(judge.evaluate(images))
        }
        return scores.report(reference: reference, neighbours: neighbours)
    }

    /// What the report is computed from, gathered a chunk of judged samples at a time.
    private struct Scores {
        var gaussian: Gaussian.Accumulator
        var classes: ClassPredictionSummary.Accumulator
        /// Features of the first samples, up to ``neighbourLimit``, for precision and recall.
        var neighbourFeatures: [Tensor] = []
        var neighbourCount = 0
        let neighbourLimit: Int

        init(reference: SampleQualityReference, confidenceThreshold: Double) {
            gaussian = Gaussian.Accumulator(dimension: reference.features.shape[1])
            classes = ClassPredictionSummary.Accumulator(classes: MNISTJudge.classCount, confidenceThreshold: confidenceThreshold)
            neighbourLimit = reference.features.shape[0]
        }

        mutating func add(_ judged: (features: Tensor, probabilities: Tensor)) {
            gaussian.add(judged.features)
            classes.add(judged.probabilities)
            let kept = Swift.min(judged.features.shape[0], neighbourLimit - neighbourCount)
            if kept > 0 {
                neighbourFeatures.append(kept == judged.features.shape[0] ? judged.features : judged.features.sliced(axis: 0, 0..<kept))
                neighbourCount += kept
            }
        }

        func report(reference: SampleQualityReference, neighbours: Int) -> SampleQualityReport {
            let summary = classes.summary
            let (precision, recall) = PrecisionRecall.compute(real: reference.features,
                                                              generated: Tensor.concat(neighbourFeatures, axis: 0), k: neighbours)
            return SampleQualityReport(
                sampleCount: gaussian.count, reference: reference.name, referenceCount: reference.statistics.count,
                frechetDistance: FrechetDistance.between(reference.statistics.gaussian, gaussian.gaussian),
                confidentShare: summary.confidentShare, confidenceThreshold: summary.confidenceThreshold,
                classesCovered: summary.classesCovered, classHistogram: summary.classHistogram,
                classKLToUniform: summary.classKLToUniform, classifierScore: summary.classifierScore,
                precision: precision, recall: recall, neighbours: neighbours, neighbourSampleCount: neighbourCount)
        }
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
        try validateShape(samples.shape, file: file)
        try validateValues(samples, file: file)
    }

    /// Checks that an array of `shape` holds at least 4 MNIST-shaped images.
    static func validateShape(_ shape: [Int], file: String) throws {
        guard shape.count == 4, Array(shape.dropFirst()) == MNISTJudge.imageShape else {
            throw EvalError.badSamples(file: file, reason: "holds an array of shape \(shape); expected [N, 1, 28, 28] (float32, values in [0, 1])")
        }
        guard shape[0] >= 4 else {
            throw EvalError.badSamples(file: file, reason: "holds \(shape[0]) images; at least 4 are needed (10,000 for numbers comparable with docs/results/)")
        }
    }

    /// Checks that images hold finite values in [0, 1].
    static func validateValues(_ samples: Tensor, file: String) throws {
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
        let (reader, n) = try openSamples(path, count: count)
        let samples = try reader.read(rows: 0..<n)
        try validateValues(samples, file: path)
        return samples
    }

    /// The number of samples ``evaluate(file:count:judge:reference:confidenceThreshold:neighbours:chunk:each:)``
    /// scores in a file: `count`, or all of them.
    ///
    /// - Throws: What ``readSamples(_:count:)`` throws for the file's type, shape or `count`.
    public static func sampleCount(_ path: String, count: Int?) throws -> Int { try openSamples(path, count: count).1 }

    /// The file opened for reading and the number of samples to read, after checking its type,
    /// its shape and `count` against it; no image is read yet.
    static func openSamples(_ path: String, count: Int?) throws -> (NPYReader, Int) {
        let reader = try NPYReader(path)
        guard reader.isFloat32 else {
            throw EvalError.badSamples(file: path, reason: "holds uint8 values; expected float32 in [0, 1] (divide by 255 and save as float32)")
        }
        try validateShape(reader.shape, file: path)
        if let count {
            guard count >= 4 && count <= reader.rows else {
                throw EvalError.badSamples(file: path, reason: "--count \(count) is outside 4...\(reader.rows), the images in the file")
            }
        }
        return (reader, count ?? reader.rows)
    }
}
