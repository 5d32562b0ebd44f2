import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct TimeUNetTests {
    @Test func shapesAndNames() {
        let unet = TimeUNet(generator: RandomGenerator(seed: 0))
        let x = Tensor.randn([3, 1, 28, 28], generator: RandomGenerator(seed: 1))
        #expect(unet(x, timesteps: Tensor([0, 10, 999])).shape == [3, 1, 28, 28])
        #expect(unet.timeEmbedding(Tensor([0, 5])).shape == [2, 32])
        // sin(0) = 0 and cos(0) = 1 for t = 0.
        #expect(unet.timeEmbedding(Tensor([0])).scalars == [Float](repeating: 0, count: 16) + [Float](repeating: 1, count: 16))
        let names = unet.namedParameters().map(\.0)
        for key in ["t1.weight", "inc.weight", "d2.bias", "u1.weight", "out.bias", "tp.weight", "gn.5.weight"] {
            #expect(names.contains(key), "missing \(key)")
        }
        // PyTorch's TimeUNet(ch=32) has 547,361 parameters.
        #expect(unet.parameters().map(\.count).reduce(0, +) == 547_361)
    }

    /// 60 DDPM steps on 512 digits: the noise-prediction MSE on held-out noisy digits must fall
    /// below 70% of its starting value (an untrained net predicts noise with MSE ≈ 1).
    @Test func trainingLowersTheNoisePredictionError() {
        let g = RandomGenerator(seed: 2)
        let unet = TimeUNet(generator: g)
        let opt = Adam(unet.trainableParameters(), learningRate: 2e-3)
        let images = MNISTSubset.trainImages(512, range: -1...1), test = MNISTSubset.testImages(64, range: -1...1)
        var alphaBar: [Float] = []
        var running: Float = 1
        for i in 0..<1000 { running *= 1 - (1e-4 + (0.02 - 1e-4) * Float(i) / 999); alphaBar.append(running) }
        func loss(_ x: Tensor, _ r: RandomGenerator) -> Tensor {
            let n = x.shape[0]
            let t = (0..<n).map { _ in Int(r.nextUInt32() % 1000) }
            let noise = Tensor.randn(x.shape, generator: r)
            let a = Tensor(t.map { alphaBar[$0].squareRoot() }, shape: [n, 1, 1, 1])
            let s = Tensor(t.map { (1 - alphaBar[$0]).squareRoot() }, shape: [n, 1, 1, 1])
            return mseLoss(unet(a * x + s * noise, timesteps: Tensor(t.map(Float.init))), noise)
        }
        let before = withNoGrad { loss(test, RandomGenerator(seed: 9)).item }
        for step in 0..<60 {
            let l = loss(MNISTSubset.batch(images, step: step, size: 32), g)
            opt.zeroGrad(); l.backward(); opt.step()
        }
        let after = withNoGrad { loss(test, RandomGenerator(seed: 9)).item }
        #expect(after < 0.7 * before, "noise-prediction MSE \(before) → \(after)")
    }
}
