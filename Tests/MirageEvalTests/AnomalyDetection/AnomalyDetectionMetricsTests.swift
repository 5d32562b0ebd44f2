import MirageEval
import MirageTensor
import Testing

@Suite struct AnomalyDetectionMetricsTests {
    /// scikit-learn's documented example: roc_auc_score and average_precision_score of
    /// y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8] are 0.75 and 0.8333.
    @Test func matchesTheHandComputedExample() {
        let m = AnomalyDetectionMetrics(scores: [0.1, 0.4, 0.35, 0.8], isAnomaly: [false, false, true, true])
        // Anomaly/normal pairs ranked right: (0.35, 0.1), (0.8, 0.1), (0.8, 0.4) of four.
        #expect(m.areaUnderROC == 0.75)
        // Precision 1 at recall 1/2 (0.8), 2/3 at recall 1 (0.35): (1 + 2/3) / 2.
        #expect(abs(m.averagePrecision - 5.0 / 6.0) < 1e-12)
        #expect(m.anomalyCount == 2 && m.normalCount == 2)
    }

    /// A tie between an anomaly and a normal sample counts one half, and a tied group enters the
    /// precision–recall curve as one threshold.
    @Test func tiesCountOneHalf() {
        let m = AnomalyDetectionMetrics(scores: [1, 1, 0, 2], isAnomaly: [true, false, false, true])
        #expect(m.areaUnderROC == 3.5 / 4)
        #expect(abs(m.averagePrecision - (0.5 * 1 + 0.5 * 2.0 / 3.0)) < 1e-12)
        let constant = AnomalyDetectionMetrics(scores: [3, 3, 3, 3, 3], isAnomaly: [true, false, false, false, true])
        #expect(constant.areaUnderROC == 0.5)
        #expect(abs(constant.averagePrecision - 0.4) < 1e-12)
    }

    @Test func perfectAndReversedScores() {
        let labels = [true, true, false, false]
        let perfect = AnomalyDetectionMetrics(scores: [4, 3, 2, 1], isAnomaly: labels)
        #expect(perfect.areaUnderROC == 1 && perfect.averagePrecision == 1)
        let reversed = AnomalyDetectionMetrics(scores: [1, 2, 3, 4], isAnomaly: labels)
        #expect(reversed.areaUnderROC == 0)
        #expect(abs(reversed.averagePrecision - (0.5 / 3 + 0.5 * 0.5)) < 1e-12)
    }

    /// On random scores with many ties, AUROC equals the pairwise count it is defined by.
    @Test func equalsThePairwiseCount() {
        let g = RandomGenerator(seed: 7)
        let scores = (0..<300).map { _ in (Double(g.nextUniform()) * 20).rounded() }
        let labels = (0..<300).map { _ in g.nextUniform() < 0.3 }
        var wins = 0.0, pairs = 0.0
        for i in 0..<300 where labels[i] {
            for j in 0..<300 where !labels[j] {
                pairs += 1
                wins += scores[i] > scores[j] ? 1 : scores[i] == scores[j] ? 0.5 : 0
            }
        }
        let m = AnomalyDetectionMetrics(scores: scores, isAnomaly: labels)
        #expect(abs(m.areaUnderROC - wins / pairs) < 1e-12)
    }
}
