import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct VAETests {
    @Test func shapes() {
        let vae = VAE(VAE.Config())
        let x = Tensor.rand([4, 1, 28, 28])
        let (rec, kl) = vae.elboTerms(x)
        #expect(rec.shape == [4] && kl.shape == [4])
        #expect(vae.sample(count: 3, generator: RandomGenerator(seed: 0)).shape == [3, 1, 28, 28])
        #expect(vae.importanceWeightedNLL(x, samples: 5, generator: RandomGenerator(seed: 0)).shape == [4])
        #expect(vae.encoder.namedParameters().map(\.0) == ["e.weight", "e.bias", "mu.weight", "mu.bias", "lv.weight", "lv.bias"])
        let twoD = VAE(VAE.Config(latent: 2))
        #expect(twoD.sheets(fixed: StepInput(images: x), noise: RandomGenerator(seed: 0)).map(\.name) == ["samples", "reconstructions", "interpolations", "latent-map"])
        #expect(VAE(VAE.Config(decoder: .gaussian)).decoder.namedParameters().map(\.0).contains("log_var"))
    }

    /// 300 steps on 2,000 binarised digits: the test ELBO must rise by at least 150 nats, and the
    /// importance-weighted bound with 64 draws must be at least as tight as the ELBO.
    @Test func trainingRaisesTheELBO() {
        let vae = VAE(VAE.Config())
        let g = RandomGenerator(seed: 3)
        let images = MNISTSubset.trainImages(2048), test = MNISTSubset.testImages(256)
        let binaryTest = Tensor.bernoulli(probabilities: test, generator: g)
        func testELBO() -> Float {
            withNoGrad { let (r, k) = vae.elboTerms(binaryTest, generator: RandomGenerator(seed: 4)); return (r - k).mean().item }
        }
        let before = testELBO()
        for step in 0..<300 {
            let batch = Tensor.bernoulli(probabilities: MNISTSubset.batch(images, step: step, size: 64), generator: g)
            _ = vae.trainStep(StepInput(images: batch), context: MNISTSubset.context)
        }
        let after = testELBO()
        #expect(after > before + 150, "test ELBO \(before) → \(after)")
        let iw = vae.importanceWeightedNLL(binaryTest, samples: 64, generator: RandomGenerator(seed: 5)).mean().item
        #expect(iw <= -after + 1, "IWAE NLL \(iw) vs −ELBO \(-after)")
    }
}

