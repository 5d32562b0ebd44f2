import MirageData
import MirageEval
import Testing

extension JudgeBackedTests {
    @Suite struct JudgeTrainerTests {
        /// One short epoch on 3,000 training digits already classifies most test digits.
        @Test func shortRunLearnsAndIsSeeded() {
            let train = Shipped.mnistTrain.subset(Array(0..<3000)), test = Shipped.mnistTest.subset(Array(0..<1000))
            var lines: [String] = []
            let options = JudgeTrainer.Options(epochs: 1, batchSize: 50, learningRate: 2e-3, seed: 3)
            let (judge, summary) = JudgeTrainer.train(trainingSet: train, testSet: test, options: options) { lines.append($0) }
            #expect(summary.testAccuracy > 0.7, "accuracy \(summary.testAccuracy)")
            #expect(summary.trainingLossByEpoch.count == 1 && summary.trainingLossByEpoch[0] < 1.5)
            #expect(lines.count == 1 && lines[0].contains("epoch 1"))
            #expect(!judge.isTraining)
            let (again, _) = JudgeTrainer.train(trainingSet: train.subset(Array(0..<100)), testSet: test.subset([0, 1]),
                                                options: JudgeTrainer.Options(epochs: 1, batchSize: 50, seed: 3))
            let (same, _) = JudgeTrainer.train(trainingSet: train.subset(Array(0..<100)), testSet: test.subset([0, 1]),
                                               options: JudgeTrainer.Options(epochs: 1, batchSize: 50, seed: 3))
            #expect(again.fingerprint == same.fingerprint)
        }
    }
}
