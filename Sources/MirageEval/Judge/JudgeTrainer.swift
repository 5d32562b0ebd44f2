import Foundation
import MirageData
import MirageNN
import MirageTensor

/// Trains an ``MNISTJudge`` on MNIST's training images with Adam and cross-entropy: what
/// `mirage eval train-judge` runs to make the shipped `Data/judge/mnist-judge.safetensors`.
///
/// Each epoch visits the 60,000 training images once in a seeded random order, in mini-batches;
/// the learning rate follows a half cosine from its base value down to 0 over the whole run. The
/// test images are only used to report accuracy at the end of each epoch, never to choose
/// anything. The same seed gives the same judge on the same machine.
///
/// ```swift
/// let train = try ImageDataset.mnist(split: .train), test = try ImageDataset.mnist(split: .test)
/// let (judge, summary) = JudgeTrainer.train(trainingSet: train, testSet: test,
///                                           options: .init(epochs: 3)) { print($0) }
/// print(summary.testAccuracy)                                   // ≈ 0.99
/// try judge.save(to: "Data/judge/mnist-judge.safetensors")
/// ```
///
/// - SeeAlso: Kingma & Ba, "Adam: A Method for Stochastic Optimization", 2015,
///   <https://arxiv.org/abs/1412.6980>; LeCun et al., "Gradient-based learning applied to
///   document recognition", 1998.
public enum JudgeTrainer {
    /// The training settings.
    public struct Options: Sendable {
        /// Passes over the training set.
        public var epochs: Int
        /// Images per step.
        public var batchSize: Int
        /// Adam's base step size (annealed to 0 by a half cosine).
        public var learningRate: Float
        /// Seeds the initial weights, the visiting order and the dropout masks.
        public var seed: UInt64

        /// Creates options; the defaults reach ≥ 99% test accuracy.
        ///
        /// - Parameters:
        ///   - epochs: Passes over the training set (≥ 1).
        ///   - batchSize: Images per step (≥ 1).
        ///   - learningRate: Adam's base step size (> 0).
        ///   - seed: The seed.
        public init(epochs: Int = 3, batchSize: Int = 64, learningRate: Float = 2e-3, seed: UInt64 = 0) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    /// What a training run achieved.
    public struct Summary: Sendable {
        /// Accuracy on the test set after each epoch.
        public var testAccuracyByEpoch: [Double]
        /// Mean training cross-entropy of each epoch, in nats.
        public var trainingLossByEpoch: [Double]
        /// Wall-clock seconds spent training (test evaluations excluded).
        public var trainingSeconds: Double

        /// The final test accuracy.
        public var testAccuracy: Double { testAccuracyByEpoch.last ?? 0 }
    }

    /// Trains a fresh judge.
    ///
    /// - Parameters:
    ///   - trainingSet: MNIST's training split (or any 1×28×28 dataset with 10 classes).
    ///   - testSet: The split to report accuracy on.
    ///   - options: Epochs, batch size, learning rate, seed.
    ///   - log: Receives one progress line every 100 steps and one per epoch.
    /// - Returns: The trained judge, in evaluation mode, and a summary.
    public static func train(trainingSet: ImageDataset, testSet: ImageDataset, options: Options = Options(),
                             log: (String) -> Void = { _ in }) -> (MNISTJudge, Summary) {
        precondition(options.epochs >= 1 && options.batchSize >= 1 && options.learningRate > 0,
                     "JudgeTrainer: epochs \(options.epochs) and batch size \(options.batchSize) must be ≥ 1, learning rate \(options.learningRate) > 0")
        for set in [trainingSet, testSet] {
            precondition(set.sampleShape == MNISTJudge.imageShape && set.classCount == MNISTJudge.classCount,
                         "JudgeTrainer: \(set.name) has samples \(set.sampleShape) in \(set.classCount) classes; expected [1, 28, 28] in 10")
        }
        let judge = MNISTJudge(generator: RandomGenerator.derived(seed: options.seed, 0))
        judge.train()
        let optimizer = Adam(judge.trainableParameters(), learningRate: options.learningRate)
        let stepsPerEpoch = (trainingSet.count + options.batchSize - 1) / options.batchSize
        let schedule = CosineAnnealing(baseLearningRate: options.learningRate, totalSteps: stepsPerEpoch * options.epochs)
        let testImages = testSet.tensor(indices: Array(0..<testSet.count))
        var summary = Summary(testAccuracyByEpoch: [], trainingLossByEpoch: [], trainingSeconds: 0)
        var step = 0
        for epoch in 0..<options.epochs {
            var order = Array(0..<trainingSet.count)
            RandomGenerator.derived(seed: options.seed, 1, UInt64(epoch)).shuffle(&order)
            let start = DispatchTime.now().uptimeNanoseconds
            var epochLoss = 0.0, windowLoss = 0.0, windowSteps = 0
            judge.train()
            for b in 0..<stepsPerEpoch {
                let indices = Array(order[(b * options.batchSize)..<Swift.min(order.count, (b + 1) * options.batchSize)])
                let images = trainingSet.tensor(indices: indices)
                let labels = Tensor(indices.map { Float(trainingSet.labels[$0]) })
                optimizer.learningRate = schedule(step)
                let loss = crossEntropy(judge.logits(images), labels)
                loss.backward()
                optimizer.step()
                optimizer.zeroGrad()
                step += 1
                epochLoss += Double(loss.item)
                windowLoss += Double(loss.item)
                windowSteps += 1
                if (b + 1) % 100 == 0 {
                    let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                    log(String(format: "epoch %d step %d/%d  loss %.4f  lr %.2e  %.0f images/s", epoch + 1, b + 1,
                               stepsPerEpoch, windowLoss / Double(windowSteps), optimizer.learningRate,
                               Double((b + 1) * options.batchSize) / seconds))
                    windowLoss = 0
                    windowSteps = 0
                }
            }
            summary.trainingSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            summary.trainingLossByEpoch.append(epochLoss / Double(stepsPerEpoch))
            summary.testAccuracyByEpoch.append(judge.accuracy(images: testImages, labels: testSet.labels))
            log(String(format: "epoch %d: training loss %.4f, test accuracy %.2f%%, %.0f s training so far",
                       epoch + 1, summary.trainingLossByEpoch.last!, 100 * summary.testAccuracy, summary.trainingSeconds))
        }
        judge.eval()
        return (judge, summary)
    }
}
