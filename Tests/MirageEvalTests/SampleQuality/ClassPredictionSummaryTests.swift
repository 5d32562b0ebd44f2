import Foundation
import MirageEval
import MirageTensor
import Testing

@Suite struct ClassPredictionSummaryTests {
    private func oneHot(_ classes: [Int], confidence: Float = 1) -> Tensor {
        var values = [Float](repeating: (1 - confidence) / 9, count: classes.count * 10)
        for (i, c) in classes.enumerated() { values[i * 10 + c] = confidence }
        return Tensor(values, shape: [classes.count, 10])
    }

    @Test func collapseOntoOneClass() {
        let s = ClassPredictionSummary(probabilities: oneHot([Int](repeating: 3, count: 50)))
        #expect(s.confidentShare == 1 && s.classesCovered == 1)
        #expect(s.classHistogram == [0, 0, 0, 50, 0, 0, 0, 0, 0, 0])
        #expect(close(s.classKLToUniform, log(10.0), atol: 1e-12))
        #expect(close(s.classifierScore, 1, atol: 1e-12))
    }

    @Test func balancedConfidentClassesScoreTen() {
        let s = ClassPredictionSummary(probabilities: oneHot((0..<100).map { $0 % 10 }))
        #expect(s.classesCovered == 10 && s.classKLToUniform == 0)
        #expect(close(s.classifierScore, 10, atol: 1e-9))
    }

    @Test func unconfidentPredictionsCoverNothing() {
        let uniform = ClassPredictionSummary(probabilities: Tensor.full([20, 10], 0.1))
        #expect(uniform.confidentShare == 0 && uniform.classesCovered == 0)
        #expect(close(uniform.classifierScore, 1, atol: 1e-6))
        // 0.85 is below the default bar of 0.9, above a bar of 0.8.
        let p = oneHot((0..<10).map { $0 }, confidence: 0.85)
        #expect(ClassPredictionSummary(probabilities: p).confidentShare == 0)
        #expect(ClassPredictionSummary(probabilities: p, confidenceThreshold: 0.8).confidentShare == 1)
    }

    @Test func classifierScoreMatchesDefinition() {
        // Two samples: p(y|x) = (0.7, 0.3) and (0.2, 0.8); p(y) = (0.45, 0.55).
        let p = Tensor([0.7, 0.3, 0.2, 0.8], shape: [2, 2])
        let kl1 = 0.7 * log(0.7 / 0.45) + 0.3 * log(0.3 / 0.55), kl2 = 0.2 * log(0.2 / 0.45) + 0.8 * log(0.8 / 0.55)
        #expect(close(ClassPredictionSummary(probabilities: p).classifierScore, exp((kl1 + kl2) / 2), atol: 1e-6))
    }

    /// Predictions added in chunks summarise exactly as all of them at once.
    @Test func accumulatedChunksMatchOneSummary() {
        let p = (Tensor.randn([500, 10], generator: RandomGenerator(seed: 5)) * 3).softmax(axis: 1)
        let whole = ClassPredictionSummary(probabilities: p, confidenceThreshold: 0.8)
        var summary = ClassPredictionSummary.Accumulator(classes: 10, confidenceThreshold: 0.8)
        for range in [0..<1, 1..<250, 250..<500] { summary.add(p.sliced(axis: 0, range)) }
        let chunked = summary.summary
        #expect(chunked.classHistogram == whole.classHistogram && chunked.confidentShare == whole.confidentShare)
        #expect(chunked.classesCovered == whole.classesCovered && close(chunked.classifierScore, whole.classifierScore, atol: 1e-9))
        #expect(whole.classifierScore > 2 && whole.confidentShare > 0.1 && whole.confidentShare < 0.9)
    }
}
