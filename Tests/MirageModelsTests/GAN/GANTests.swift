import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct GANTests {
    @Test(arguments: [GAN.Architecture.mlp, .dcgan])
    func shapes(_ architecture: GAN.Architecture) {
        let gan = GAN(GAN.Config(architecture: architecture))
        let s = gan.sample(count: 3, generator: RandomGenerator(seed: 0))
        #expect(s.shape == [3, 1, 28, 28])
        #expect(s.min().item >= 0 && s.max().item <= 1)
        #expect(gan.discriminator(Tensor.zeros([2, 1, 28, 28])).shape == [2, 1])
        #expect(gan.sheets(fixed: StepInput(images: Tensor.zeros([1, 1, 28, 28])), noise: RandomGenerator(seed: 1)).map(\.name) == ["samples", "interpolations"])
    }

    @Test func dcganKeysAndInitialisation() {
        let gan = GAN(GAN.Config(architecture: .dcgan))
        #expect(gan.generator.namedParameters().map(\.0) == ["fc.weight", "fc.bias", "bn0.weight", "bn0.bias", "up1.weight", "up1.bias",
                                                              "bn1.weight", "bn1.bias", "up2.weight", "up2.bias"])
        let w = gan.generator.namedParameters().first { $0.0 == "up1.weight" }!.1
        let std = w.variance().sqrt().item
        #expect(Swift.abs(std - 0.02) < 0.002, "DCGAN init std \(std)")
    }

    /// A brief adversarial training on real digits: the generator's mean image must move at
    /// least halfway towards the data's mean image (L2 distance), and its samples must differ
    /// from each other, for both architectures. (The MLP GAN needs 600 steps: at 200 its samples
    /// are still near copies of one blob, spread 0.03 against the digits' 0.19.)
    @Test(arguments: [(GAN.Architecture.mlp, 600), (.dcgan, 150)])
    func trainingMovesSamplesTowardsTheData(_ architecture: GAN.Architecture, _ steps: Int) {
        let gan = GAN(GAN.Config(architecture: architecture))
        let images = MNISTSubset.trainImages(2048, range: -1...1)
        let dataMean = MNISTSubset.trainImages(2048).mean(axis: 0)
        func distance() -> Float {
            let s = gan.sample(count: 256, generator: RandomGenerator(seed: 7))
            return (s.mean(axis: 0) - dataMean).norm().item
        }
        let before = distance()
        var last: [String: Float] = [:]
        for step in 0..<steps { last = gan.trainStep(StepInput(images: MNISTSubset.batch(images, step: step, size: 64)), context: MNISTSubset.context) }
        let after = distance()
        #expect(after < 0.5 * before, "distance of mean images \(before) → \(after)")
        #expect(last.values.allSatisfy { $0.isFinite })
        // A generator that draws one image, the mean digit say, would pass the test above: its
        // samples must also differ from each other, with a per-pixel spread across samples of at
        // least a fifth of the real digits'.
        func spread(_ x: Tensor) -> Float { (x - x.mean(axis: 0, keepDims: true)).pow(2).mean(axis: 0).sqrt().mean().item }
        let samples = spread(gan.sample(count: 256, generator: RandomGenerator(seed: 8)))
        let real = spread(MNISTSubset.trainImages(256))
        #expect(samples > 0.2 * real, "spread across samples \(samples), across real digits \(real)")
    }
}
