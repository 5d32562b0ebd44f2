/// How well a score separates anomalies from normal samples: the area under the ROC curve
/// (AUROC) and average precision (AP), the two numbers anomaly-detection papers report.
///
/// Higher scores must mean "more anomalous". AUROC is the probability that a random anomaly
/// scores above a random normal sample, ties counting one half (the Mann–Whitney statistic, equal
/// to the trapezoidal area under the ROC curve): 1 separates perfectly, 0.5 is chance, below 0.5
/// the score ranks anomalies as *more* normal. AP is the area under the precision–recall curve as
/// scikit-learn's `average_precision_score` defines it, Σₙ (Rₙ − Rₙ₋₁)·Pₙ over the distinct score
/// thresholds from the highest down; a useless score's AP is the anomalies' share.
///
/// ```swift
/// let m = AnomalyDetectionMetrics(scores: [0.1, 0.4, 0.35, 0.8], isAnomaly: [false, false, true, true])
/// m.areaUnderROC          // 0.75
/// m.averagePrecision      // 0.8333…
/// ```
///
/// - SeeAlso: Fawcett, "An introduction to ROC analysis", 2006; Akcay et al., "GANomaly",
///   <https://arxiv.org/abs/1805.06725> (the leave-one-class-out protocol on MNIST).
public struct AnomalyDetectionMetrics: Sendable, Equatable {
    /// Area under the ROC curve, in [0, 1].
    public let areaUnderROC: Double
    /// Average precision, in [0, 1].
    public let averagePrecision: Double
    /// Anomalies scored.
    public let anomalyCount: Int
    /// Normal samples scored.
    public let normalCount: Int

    /// Scores one set of samples.
    ///
    /// - Parameters:
    ///   - scores: One finite score per sample, higher for more anomalous.
    ///   - isAnomaly: Whether each sample is an anomaly; both kinds must occur.
    public init(scores: [Double], isAnomaly: [Bool]) {
        precondition(scores.count == isAnomaly.count,
                     "AnomalyDetectionMetrics: \(scores.count) scores for \(isAnomaly.count) labels")
        precondition(scores.allSatisfy { $0.isFinite }, "AnomalyDetectionMetrics: the scores must be finite")
        let anomalies = isAnomaly.filter { $0 }.count, normals = isAnomaly.count - anomalies
        precondition(anomalies > 0 && normals > 0,
                     "AnomalyDetectionMetrics: needs anomalies and normal samples, got \(anomalies) and \(normals)")
        anomalyCount = anomalies
        normalCount = normals
        // Walk the samples from the highest score down, one group of tied scores at a time: each
        // group moves the ROC curve by (its normals, its anomalies), and the trapezoid under that
        // move counts its ties as one half.
        let order = scores.indices.sorted { scores[$0] > scores[$1] }
        var truePositives = 0, falsePositives = 0
        var area = 0.0, precisionSum = 0.0
        var i = 0
        while i < order.count {
            var groupAnomalies = 0, groupNormals = 0
            let value = scores[order[i]]
            while i < order.count, scores[order[i]] == value {
                if isAnomaly[order[i]] { groupAnomalies += 1 } else { groupNormals += 1 }
                i += 1
            }
            area += Double(groupNormals) * (Double(truePositives) + Double(groupAnomalies) / 2)
            truePositives += groupAnomalies
            falsePositives += groupNormals
            if groupAnomalies > 0 {
                precisionSum += Double(groupAnomalies) * Double(truePositives) / Double(truePositives + falsePositives)
            }
        }
        areaUnderROC = area / (Double(anomalies) * Double(normals))
        averagePrecision = precisionSum / Double(anomalies)
    }
}
