import MirageData
import MirageNN
import MirageTensor
import Testing

/// Layers, loss, backward and optimizer working together: a small MLP learns to read digits.
@Suite struct MNISTClassifierTests {
    /// 784-128-10 with ReLU, Adam 1e-3, 10 epochs of 2,000 training images in batches of 64
    /// (310 steps): at least 87% of 1,000 test images right, from ~10% at start.
    @Test func mlpReachesEightySevenPercentOnTwoThousandImages() throws {
        let train = try ImageDataset.mnist(split: .train).subset(Array(0..<2000))
        let test = try ImageDataset.mnist(split: .test).subset(Array(0..<1000))
        let g = RandomGenerator(seed: 0)
        let model = Sequential(Flatten(), Linear(784, 128, generator: g), ReLU(), Linear(128, 10, generator: g))
        let optimizer = Adam(model.trainableParameters(), learningRate: 1e-3)
        let testImages = test.tensor(indices: Array(0..<test.count))
        let testLabels = Tensor(test.labels.map(Float.init))
        func accuracy() -> Float {
            withNoGrad { (model(testImages).argmax(axis: 1) .== testLabels).mean().item }
        }
        let before = accuracy()
        let loader = DataLoader(train, batchSize: 64, shuffle: true, dropLast: true, seed: 1)
        for epoch in 0..<10 {
            for batch in loader.epoch(epoch) {
                let loss = crossEntropy(model(batch.images), batch.labels)
                loss.backward()
                optimizer.step()
                optimizer.zeroGrad()
            }
        }
        let after = accuracy()
        #expect(before < 0.3, "untrained accuracy \(before)")
        #expect(after >= 0.87, "test accuracy \(after) after training")
    }
}
