import Foundation
import MirageTensor

/// What a classifier's predictions say about a set of generated images: how many it recognises
/// confidently, which classes appear and how evenly, and the classifier score (the Inception
/// Score with the MNIST judge in place of Inception).
///
/// - **Confident share**: the share of samples whose largest class probability is at least
///   the threshold (0.9 by default). Real MNIST training digits score 0.98 under the shipped
///   judge; noise and smudges score low. It saturates at 1 for any generator that draws a few
///   clean digits, however few distinct ones.
/// - **Class histogram** and its **KL to uniform**: counts of the most probable class over all
///   samples, and KL(histogram ‖ uniform) in nats, 0 for balanced classes, log 10 ≈ 2.303 when
///   every sample gets the same class (mode collapse onto one digit).
/// - **Classes covered**: the classes that at least one sample is confidently assigned to (0
///   to 10); it saturates at 10 as soon as each digit appears once.
/// - **Classifier score**: exp(E_x KL(p(y | x) ‖ p(y))) with p(y) the mean prediction,
///   computed over all samples at once (no splits). It lies in [1, 10]: 1 when every sample
///   gets the same distribution, 10 when every sample is confidently one class and the classes
///   are balanced. It ignores what real digits look like, so a generator of ten perfect
///   prototypes scores 10; pair it with the Fréchet distance.
///
/// ```swift
/// let p = judge.evaluate(samples).probabilities        // [N, 10]
/// let s = ClassPredictionSummary(probabilities: p)
/// print(s.confidentShare, s.classesCovered, s.classKLToUniform, s.classifierScore)
/// ```
///
/// - SeeAlso: Salimans et al., "Improved Techniques for Training GANs" (Inception Score), 2016,
///   <https://arxiv.org/abs/1606.03498>; Barratt & Sharma, "A Note on the Inception Score",
///   2018, <https://arxiv.org/abs/1801.01973>
public struct ClassPredictionSummary: Equatable, Sendable {
    /// The probability a prediction needs to count as confident.
    public var confidenceThreshold: Double
    /// The share of samples with max p(y | x) ≥ ``confidenceThreshold``.
    public var confidentShare: Double
    /// Samples per most-probable class.
    public var classHistogram: [Int]
    /// Classes with at least one confidently assigned sample.
    public var classesCovered: Int
    /// KL(``classHistogram`` ‖ uniform), in nats.
    public var classKLToUniform: Double
    /// exp(E_x KL(p(y | x) ‖ p(y))).
    public var classifierScore: Double

    /// Summarises class probabilities.
    ///
    /// - Parameters:
    ///   - probabilities: `[N, C]`, each row a distribution (softmax output), N ≥ 1.
    ///   - confidenceThreshold: The confidence bar, in (0, 1].
    public init(probabilities: Tensor, confidenceThreshold: Double = 0.9) {
        precondition(probabilities.rank == 2 && probabilities.shape[0] > 0 && probabilities.shape[1] > 0,
                     "ClassPredictionSummary: expected probabilities [N, C] with N, C ≥ 1, got shape \(probabilities.shape)")
        var summary = Accumulator(classes: probabilities.shape[1], confidenceThreshold: confidenceThreshold)
        summary.add(probabilities)
        self = summary.summary
    }

    /// Builds a ``ClassPredictionSummary`` from probabilities that arrive in chunks, in memory
    /// that does not grow with their number: counts, the summed predictions and the summed
    /// Σ_y p log p, since E_x KL(p(y | x) ‖ p(y)) = E_x Σ_y p(y | x) log p(y | x) − Σ_y p(y) log p(y).
    public struct Accumulator: Sendable {
        /// The confidence bar.
        public let confidenceThreshold: Double
        /// Rows added so far.
        public private(set) var count = 0
        private var histogram: [Int], confidentPerClass: [Int], confident = 0
        private var marginal: [Double], negativeEntropy = 0.0

        /// An empty accumulator for `classes` classes.
        public init(classes: Int, confidenceThreshold: Double = 0.9) {
            precondition(classes >= 1, "ClassPredictionSummary.Accumulator: \(classes) classes")
            precondition(confidenceThreshold > 0 && confidenceThreshold <= 1,
                         "ClassPredictionSummary: confidence threshold \(confidenceThreshold) is not in (0, 1]")
            self.confidenceThreshold = confidenceThreshold
            histogram = [Int](repeating: 0, count: classes)
            confidentPerClass = histogram
            marginal = [Double](repeating: 0, count: classes)
        }

        /// Adds a chunk of predictions, `[N, C]`.
        public mutating func add(_ probabilities: Tensor) {
            let c = histogram.count
            precondition(probabilities.rank == 2 && probabilities.shape[1] == c,
                         "ClassPredictionSummary: expected probabilities [N, \(c)], got shape \(probabilities.shape)")
            let n = probabilities.shape[0]
            let p = probabilities.scalars.map(Double.init)
            for i in 0..<n {
                var best = 0
                for k in 0..<c {
                    let q = p[i * c + k]
                    marginal[k] += q
                    if q > 0 { negativeEntropy += q * log(q) }
                    if q > p[i * c + best] { best = k }
                }
                histogram[best] += 1
                if p[i * c + best] >= confidenceThreshold {
                    confident += 1
                    confidentPerClass[best] += 1
                }
            }
            count += n
        }

        /// The summary of everything added (at least one row).
        public var summary: ClassPredictionSummary {
            precondition(count > 0, "ClassPredictionSummary: no probabilities were added")
            let n = Double(count)
            let marginalNegativeEntropy = marginal.map { $0 / n }.filter { $0 > 0 }.map { $0 * log($0) }.reduce(0, +)
            return ClassPredictionSummary(
                confidenceThreshold: confidenceThreshold, confidentShare: Double(confident) / n,
                classHistogram: histogram, classesCovered: confidentPerClass.filter { $0 > 0 }.count,
                classKLToUniform: KLDivergence.toUniform(histogram),
                classifierScore: exp(Swift.max(0, negativeEntropy / n - marginalNegativeEntropy)))
        }
    }

    private init(confidenceThreshold: Double, confidentShare: Double, classHistogram: [Int], classesCovered: Int,
                 classKLToUniform: Double, classifierScore: Double) {
        self.confidenceThreshold = confidenceThreshold
        self.confidentShare = confidentShare
        self.classHistogram = classHistogram
        self.classesCovered = classesCovered
        self.classKLToUniform = classKLToUniform
        self.classifierScore = classifierScore
    }
}
