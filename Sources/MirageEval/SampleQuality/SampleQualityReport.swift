/// Every sample-quality number for a set of generated MNIST digits, as `mirage eval samples`
/// prints it. Encodes to JSON with snake-case keys.
public struct SampleQualityReport: Codable, Equatable, Sendable {
    /// Generated samples scored.
    public var sampleCount: Int
    /// The reference set's name.
    public var reference: String
    /// Images behind the reference's Fréchet statistics.
    public var referenceCount: Int
    /// Fréchet distance between the judge features of samples and reference (lower is better).
    public var frechetDistance: Double
    /// Share of samples classified with probability ≥ the threshold.
    public var confidentShare: Double
    /// The confidence threshold.
    public var confidenceThreshold: Double
    /// Classes with at least one confident sample.
    public var classesCovered: Int
    /// Samples per predicted class.
    public var classHistogram: [Int]
    /// KL(class histogram ‖ uniform), nats.
    public var classKLToUniform: Double
    /// exp(E KL(p(y|x) ‖ p(y))), in [1, 10].
    public var classifierScore: Double
    /// Share of samples inside the reference's k-NN manifold.
    public var precision: Double
    /// Share of reference images inside the samples' k-NN manifold.
    public var recall: Double
    /// The k of precision and recall.
    public var neighbours: Int
    /// The samples precision and recall were computed on: the first ones, at most as many as
    /// the reference's neighbour set (the k-NN balls grow with a set's size, so the two sets are
    /// kept equal, as Kynkäänniemi et al. do).
    public var neighbourSampleCount: Int

    /// Creates a report from its numbers (``SampleQuality/evaluate(samples:judge:reference:confidenceThreshold:neighbours:)``
    /// is the usual source).
    public init(sampleCount: Int, reference: String, referenceCount: Int, frechetDistance: Double,
                confidentShare: Double, confidenceThreshold: Double, classesCovered: Int, classHistogram: [Int],
                classKLToUniform: Double, classifierScore: Double, precision: Double, recall: Double, neighbours: Int,
                neighbourSampleCount: Int) {
        self.sampleCount = sampleCount
        self.reference = reference
        self.referenceCount = referenceCount
        self.frechetDistance = frechetDistance
        self.confidentShare = confidentShare
        self.confidenceThreshold = confidenceThreshold
        self.classesCovered = classesCovered
        self.classHistogram = classHistogram
        self.classKLToUniform = classKLToUniform
        self.classifierScore = classifierScore
        self.precision = precision
        self.recall = recall
        self.neighbours = neighbours
        self.neighbourSampleCount = neighbourSampleCount
    }

    enum CodingKeys: String, CodingKey {
        case sampleCount = "sample_count", reference, referenceCount = "reference_count"
        case frechetDistance = "frechet_distance", confidentShare = "confident_share"
        case confidenceThreshold = "confidence_threshold", classesCovered = "classes_covered"
        case classHistogram = "class_histogram", classKLToUniform = "class_kl_to_uniform"
        case classifierScore = "classifier_score", precision, recall, neighbours
        case neighbourSampleCount = "neighbour_sample_count"
    }
}
