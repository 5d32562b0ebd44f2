import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval train-judge`: trains the MNIST judge and caches its test-set statistics.
    struct TrainJudge: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "train-judge",
            abstract: "Train the MNIST judge classifier and cache its test-set feature statistics.",
            discussion: """
            Trains MNISTJudge (conv 32 → pool → conv 64 → pool → fc 128 → fc 10) with Adam on the 60,000
            training images, reports test accuracy after each epoch, writes the weights to --out and the
            Gaussian statistics of its features on the 10,000 test images to mnist-test-stats.safetensors
            in the same folder. The shipped Data/judge/ files were made by the first example.

            Examples:
              mirage eval train-judge
              mirage eval train-judge --epochs 5 --seed 1 --out /tmp/judge/mnist-judge.safetensors
              mirage eval train-judge --stats-only
            """
        )

        @Option(help: "Passes over the training images.")
        var epochs: Int = JudgeTrainer.Options().epochs

        @Option(help: "Images per step.")
        var batchSize: Int = JudgeTrainer.Options().batchSize

        @Option(help: "Adam's base learning rate (annealed to 0 by a half cosine).")
        var learningRate: Float = JudgeTrainer.Options().learningRate

        @Option(help: "Seed of the initial weights, the visiting order and dropout.")
        var seed: UInt64 = 0

        @Option(help: "Where to write the weights; the statistics go next to them.")
        var out: String = "Data/judge/\(MNISTJudge.weightsFileName)"

        @Option(help: "Folder holding MNIST (default: searched, see `mirage data`).")
        var dataDir: String?

        @Flag(help: "Do not train: recompute the statistics of the judge at --out.")
        var statsOnly = false

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1, got \(epochs)") }
            guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1, got \(batchSize)") }
            guard learningRate > 0 else { throw ValidationError("--learning-rate must be positive, got \(learningRate)") }
        }

        func run() throws {
            threads.apply()
            let test = try ImageDataset.mnist(split: .test, dataDirectory: dataDir)
            let judge: MNISTJudge
            if statsOnly {
                judge = try MNISTJudge.load(path: out)
            } else {
                let train = try ImageDataset.mnist(split: .train, dataDirectory: dataDir)
                let options = JudgeTrainer.Options(epochs: epochs, batchSize: batchSize, learningRate: learningRate, seed: seed)
                let (trained, summary) = JudgeTrainer.train(trainingSet: train, testSet: test, options: options) { line in
                    print(line)
                    fflush(stdout)   // progress lines appear as they come, also when piped to a file
                }
                judge = trained
                let metadata = [
                    "test_accuracy": String(format: "%.4f", summary.testAccuracy),
                    "training_seconds": String(format: "%.0f", summary.trainingSeconds),
                    "command": "mirage eval train-judge --epochs \(epochs) --batch-size \(batchSize) --learning-rate \(learningRate) --seed \(seed)",
                ]
                try judge.save(to: out, metadata: metadata)
                print(String(format: "test accuracy %.2f%%, %.0f s of training; wrote %@", 100 * summary.testAccuracy,
                             summary.trainingSeconds, out))
            }
            let statsPath = ((out as NSString).deletingLastPathComponent as NSString)
                .appendingPathComponent(ReferenceStatistics.mnistTestFileName)
            let stats = ReferenceStatistics.compute(judge: judge, images: test.tensor(indices: Array(0..<test.count)),
                                                    dataset: "mnist/test")
            try stats.write(to: statsPath)
            print("wrote the feature statistics of the \(stats.count) test images to \(statsPath)")
        }
    }
}
