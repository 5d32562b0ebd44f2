import Foundation
import MirageEval
import MirageNN
import MirageTensor
import Testing

extension JudgeBackedTests {
    @Suite struct MNISTJudgeTests {
        @Test func architectureHasPyTorchNamesAndShapes() {
            let judge = MNISTJudge(generator: RandomGenerator(seed: 0))
            let shapes = Dictionary(uniqueKeysWithValues: judge.namedParameters().map { ($0.0, $0.1.shape) })
            #expect(shapes == ["conv1.weight": [32, 1, 3, 3], "conv1.bias": [32], "conv2.weight": [64, 32, 3, 3],
                               "conv2.bias": [64], "fc1.weight": [128, 3136], "fc1.bias": [128],
                               "fc2.weight": [10, 128], "fc2.bias": [10]])
            #expect(judge.parameterCount == 421_642)
            let x = Tensor.rand([3, 1, 28, 28], generator: RandomGenerator(seed: 1))
            #expect(judge.features(x).shape == [3, 128] && judge.logits(x).shape == [3, 10])
            // The features are what the last layer reads: logits = fc2(features). (A features()
            // that returned another layer's output would fail here; being ≥ 0 after a ReLU would not.)
            let params = Dictionary(uniqueKeysWithValues: judge.namedParameters())
            let fromFeatures = judge.features(x).matmul(transposed: params["fc2.weight"]!) + params["fc2.bias"]!
            let logits = judge.logits(x)
            #expect(zip(fromFeatures.scalars, logits.scalars).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * Swift.max(1, Swift.abs($1)) })
            #expect(judge.features(x).scalars.contains { $0 > 0 }, "all-zero features carry nothing")
        }

        /// The shipped judge classifies at least 99% of the 10,000 MNIST test images correctly.
        @Test func shippedJudgeIsAtLeast99PercentAccurate() {
            let predicted = Shipped.testOutputs.probabilities.argmax(axis: 1).scalars
            let correct = zip(predicted, Shipped.mnistTest.labels).filter { Int($0) == $1 }.count
            #expect(Double(correct) / 10_000 >= 0.99, "accuracy \(Double(correct) / 100)%")
            #expect(Shipped.judge.weightsPath?.hasSuffix("Data/judge/mnist-judge.safetensors") == true)
        }

        @Test func evaluationIsDeterministicAndBatchIndependent() {
            let images = Shipped.testImages.sliced(axis: 0, 0..<37)
            let a = Shipped.judge.evaluate(images, batchSize: 37).features.scalars
            let b = Shipped.judge.evaluate(images, batchSize: 5).features.scalars
            #expect(zip(a, b).allSatisfy { Swift.abs($0 - $1) <= 1e-4 * Swift.max(1, Swift.abs($0)) })
        }

        @Test func missingExplicitPathNamesIt() {
            let missing = "/nonexistent/judge.safetensors"
            #expect(throws: EvalError.judgeNotFound(searched: [missing])) { try MNISTJudge.load(path: missing) }
            let error = EvalError.judgeNotFound(searched: [missing])
            #expect(error.description.contains(missing) && error.description.contains("train-judge"))
        }

        @Test func searchOrderStartsWithMirageData() {
            let paths = MNISTJudge.candidatePaths(environment: ["MIRAGE_DATA": "/data"])
            #expect(paths.prefix(2) == ["/data/mnist-judge.safetensors", "/data/judge/mnist-judge.safetensors"])
            #expect(paths.contains { $0.hasSuffix("Data/judge/mnist-judge.safetensors") })
            #expect(Set(paths).count == paths.count)
        }

        @Test func corruptFileIsReportedWithItsPath() throws {
            let folder = TemporaryFolder()
            let path = folder.file("mnist-judge.safetensors")
            try Data("not a checkpoint".utf8).write(to: URL(fileURLWithPath: path))
            let corrupt = #expect(throws: EvalError.self) { try MNISTJudge.load(path: folder.path) }
            guard case let .badFile(file, _) = corrupt else { Issue.record("expected badFile, got \(String(describing: corrupt))"); return }
            #expect(file == path)
            // A valid safetensors file of another model names the missing keys.
            try Checkpoint(tensors: ["weight": Tensor.zeros([2])]).write(to: URL(fileURLWithPath: path))
            let wrongModel = #expect(throws: EvalError.self) { try MNISTJudge.load(path: path) }
            #expect("\(wrongModel!)".contains(path) && "\(wrongModel!)".contains("conv1.weight"))
        }

        @Test func saveAndLoadRoundTripKeepsTheFingerprint() throws {
            let folder = TemporaryFolder()
            let judge = MNISTJudge(generator: RandomGenerator(seed: 4))
            try judge.save(to: folder.file("j/mnist-judge.safetensors"), metadata: ["note": "test"])
            let back = try MNISTJudge.load(path: folder.file("j"))
            #expect(back.fingerprint == judge.fingerprint)
            #expect(back.fingerprint != MNISTJudge(generator: RandomGenerator(seed: 5)).fingerprint)
            let metadata = try Checkpoint.read(from: URL(fileURLWithPath: folder.file("j/mnist-judge.safetensors"))).metadata
            #expect(metadata["note"] == "test" && metadata["fingerprint"] == judge.fingerprint)
        }
    }
}
