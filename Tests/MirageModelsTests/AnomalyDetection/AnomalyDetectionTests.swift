import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageNN
import MirageTensor
import Testing

/// A model that trains nothing and records the labels of every batch it is given.
private final class LabelRecorder: GenerativeModel {
    let net = Linear(1, 1, generator: RandomGenerator(seed: 0))
    var seen: [Int] = []
    var configuration: Data { Data("{}".utf8) }
    var networks: [(String, Module)] { [("net", net)] }
    var optimizers: [(String, Optimizer)] { [] }
    var generators: [(String, RandomGenerator)] { [] }
    var data: DataRequirement { DataRequirement() }
    func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        seen += input.labels.scalars.map { Int($0) }
        return ["loss": 0]
    }
    func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] { [] }
}

@Suite(.serialized) struct AnomalyDetectionTests {
    static func folder(_ name: String) -> RunFolder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-anomaly-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        return RunFolder(path)
    }

    /// `--exclude-class 3`: no image of a 3 reaches a training step, every other class does, and
    /// config.json records it; the subset is taken after the exclusion.
    @Test func theExcludedClassNeverReachesTheModel() throws {
        let run = Self.folder("exclude")
        defer { try? FileManager.default.removeItem(at: run.root) }
        var options = TrainingOptions()
        options.excludedClass = 3
        options.trainingSubset = 640
        options.batchSize = 32
        options.epochs = 2
        let model = LabelRecorder()
        try Trainer(model: model, kind: "recorder", data: MNISTSubset.data, run: run, options: options).run()
        #expect(model.seen.count == 2 * 640)
        #expect(!model.seen.contains(3))
        #expect(Set(model.seen) == Set(0..<10).subtracting([3]))
        #expect(run.storedTrainingOptions?.excludedClass == 3)
        // The 640 images are the first 640 non-threes of the training split.
        let split = MNISTSubset.data.trainingSplit(for: options).primary!
        let nonThrees = MNISTSubset.train.labels.filter { $0 != 3 }
        #expect(split.count == 640 && split.labels == Array(nonThrees.prefix(640)))
    }

    @Test func aClassTheDataDoNotHaveIsRefused() throws {
        let run = Self.folder("no-such-class")
        defer { try? FileManager.default.removeItem(at: run.root) }
        var options = TrainingOptions()
        options.excludedClass = 10
        options.steps = 1
        #expect(throws: TrainingDataError.noSuchClass(dataset: "mnist", label: 10, classCount: 10)) {
            try Trainer(model: LabelRecorder(), kind: "recorder", data: MNISTSubset.data, run: run, options: options).run()
        }
        #expect(String(describing: TrainingDataError.noSuchClass(dataset: "mnist", label: 10, classCount: 10)).contains("0...9"))
    }

    /// Each model offers the scores it has, its natural one first.
    @Test func scoresFollowCapabilities() throws {
        #expect(AnomalyScore.available(for: try ModelRegistry.make(kind: "ae")) == [.reconstruction])
        #expect(AnomalyScore.available(for: try ModelRegistry.make(kind: "vae")) == [.elbo, .nll, .complexity, .reconstruction])
        #expect(AnomalyScore.available(for: try ModelRegistry.make(kind: "dcgan")) == [.fanogan])
        #expect(AnomalyScore.available(for: try ModelRegistry.make(kind: "wgan-gp")) == [.fanogan])
        #expect(AnomalyScore.available(for: try ModelRegistry.make(kind: "glow")) == [.nll, .complexity])
        #expect(!(try ModelRegistry.make(kind: "glow") as! any LikelihoodModel).likelihoodIsOfBinaryPixels)
        let packed = GAN({ var c = GAN.Config(architecture: .dcgan); c.pack = 2; return c }())
        #expect(AnomalyScore.available(for: packed).isEmpty)
        #expect(FAnoGAN.unsupportedReason(packed)!.contains("--pack 2"))
        #expect(FAnoGAN.unsupportedReason(GAN(GAN.Config(architecture: .mlp)))!.contains("DCGAN"))
    }

    @Test func reconstructionScoreIsThePerImageMeanSquaredError() throws {
        let ae = Autoencoder(Autoencoder.Config())
        ae.setTraining(false)
        let x = MNISTSubset.testImages(4)
        let scores = try AnomalyScore.reconstruction.scores(x, model: ae, generator: RandomGenerator(seed: 0)).scalars
        let r = ae.reconstruct(x).scalars, xs = x.scalars
        for i in 0..<4 {
            let expected = (0..<784).map { k in (r[i * 784 + k] - xs[i * 784 + k]) * (r[i * 784 + k] - xs[i * 784 + k]) }.reduce(0, +) / 784
            #expect(abs(scores[i] - expected) < 1e-5)
        }
    }

    /// A blank image needs fewer PNG bits than a digit, and a digit fewer than noise; the length
    /// is the encoded file's, so two copies of one image measure the same.
    @Test func pngComplexityOrdersBlankDigitAndNoise() throws {
        let digit = MNISTSubset.testImages(1)
        let blank = Tensor.zeros([1, 1, 28, 28])
        let noise = Tensor.rand([1, 1, 28, 28], generator: RandomGenerator(seed: 3))
        let bits = try InputComplexity.pngBits(Tensor.concat([blank, digit, noise, digit], axis: 0))
        #expect(bits[0] < bits[1] && bits[1] < bits[2], "\(bits)")
        #expect(bits[1] == bits[3])
        let quantised = RasterImage(planar: digit.scalars.map { UInt8(min(max($0 * 255 + 0.5, 0), 255)) }, channels: 1, height: 28, width: 28)
        #expect(bits[1] == Double(8 * (try PNG.encode(quantised)).count))
        // RGB images are encoded as RGB.
        #expect(try InputComplexity.pngBits(Tensor.concat([digit, digit, digit], axis: 1))[0] > bits[1])
    }

    /// The complexity score is −log₂ p(x) − PNG bits of the same x, with the same likelihood
    /// draws as `nll`: for the VAE, x is the binarised draw its likelihood is of.
    @Test func complexityScoreIsTheNLLInBitsLessThePNGLength() throws {
        let vae = VAE(VAE.Config())
        vae.setTraining(false)
        let x = MNISTSubset.testImages(6)
        let nll = try AnomalyScore.nll.scores(x, model: vae, samples: 3, generator: RandomGenerator(seed: 5)).scalars
        let score = try AnomalyScore.complexity.scores(x, model: vae, samples: 3, generator: RandomGenerator(seed: 5)).scalars
        #expect(vae.likelihoodIsOfBinaryPixels)
        let binarised = vae.likelihoodInput(x, generator: RandomGenerator(seed: 5))
        let bits = try InputComplexity.pngBits(binarised)
        #expect(bits != (try InputComplexity.pngBits(x)))
        for i in 0..<6 {
            let expected = Double(nll[i]) / log(2) - bits[i]
            #expect(abs(Double(score[i]) - expected) < 1e-3 * abs(expected), "\(score[i]) vs \(expected)")
        }
    }

    /// f-AnoGAN's encoder learns to invert the generator: after 150 GAN steps on real digits, a
    /// brief encoder run on 512 of them lowers the score of held-out test digits (image + feature
    /// residual) by a stated margin, while the GAN's weights stay as they were.
    @Test func theFAnoGANEncoderLearnsToInvertTheGenerator() throws {
        let gan = GAN(GAN.Config(architecture: .dcgan))
        let real = MNISTSubset.trainImages(1024, range: -1...1)
        for step in 0..<150 {
            _ = gan.trainStep(StepInput(images: MNISTSubset.batch(real, step: step, size: 32)), context: MNISTSubset.context)
        }
        let before = gan.generator.parameters().map { $0.scalars }
        let f = FAnoGAN(gan, options: FAnoGAN.Options(steps: 120, batchSize: 32))
        let test = MNISTSubset.testImages(128)
        let untrained = f.scores(test).mean().item
        var losses: [Float] = []
        f.train(count: 512, batch: { MNISTSubset.train.tensor(indices: $0) }) { _, loss in losses.append(loss) }
        let trained = f.scores(test).mean().item
        #expect(losses.count == 120)
        // Measured 1.22 → 0.73; asserted: the held-out score falls by at least a third.
        #expect(trained < 0.67 * untrained, "score \(untrained) → \(trained), losses \(losses.prefix(3)) … \(losses.suffix(3))")
        #expect(gan.generator.parameters().map { $0.scalars } == before)
    }

    @Test func theFAnoGANEncoderIsKeptAndReloaded() throws {
        let dir = Self.folder("encoder").root
        defer { try? FileManager.default.removeItem(at: dir) }
        let gan = GAN(GAN.Config(architecture: .dcgan))
        let options = FAnoGAN.Options(steps: 3, batchSize: 8)
        let f = FAnoGAN(gan, options: options)
        f.train(count: 64, batch: { MNISTSubset.train.tensor(indices: $0) })
        let file = dir.appendingPathComponent("anomaly/fanogan-encoder.safetensors")
        try f.save(to: file, generator: "gan at step 0")
        let x = MNISTSubset.testImages(8)
        let loaded = try #require(try FAnoGAN.load(gan, options: options, generator: "gan at step 0", from: file))
        #expect(loaded.scores(x).scalars == f.scores(x).scalars)
        // Other settings: retrained, not reused.
        #expect(try FAnoGAN.load(gan, options: FAnoGAN.Options(steps: 4, batchSize: 8), generator: "gan at step 0", from: file) == nil)
        #expect(try FAnoGAN.load(gan, options: options, generator: "gan at step 10", from: file) == nil)
        #expect(try FAnoGAN.load(gan, options: options, generator: "gan at step 0", from: dir.appendingPathComponent("none.safetensors")) == nil)
        // Another safetensors file is refused with its path.
        let other = dir.appendingPathComponent("other.safetensors")
        try Checkpoint(tensors: ["w": Tensor([1, 2])]).write(to: other)
        #expect { try FAnoGAN.load(gan, options: options, generator: "gan at step 0", from: other) } throws: { "\($0)".contains(other.path) && "\($0)".contains("f-AnoGAN") }
    }
}
