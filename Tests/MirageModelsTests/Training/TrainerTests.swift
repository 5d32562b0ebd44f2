import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite(.serialized) struct TrainerTests {
    static func folder(_ name: String) -> RunFolder {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-trainer-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        return RunFolder(path)
    }

    static func options(steps: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.steps = steps
        o.batchSize = 32
        o.trainingSubset = 128   // 4 batches an epoch
        o.checkpointEvery = 3
        o.logEvery = 2
        return o
    }

    @Test func writesTheRunFolder() throws {
        let run = Self.folder("layout")
        defer { try? FileManager.default.removeItem(at: run.root) }
        let model = try ModelRegistry.make(kind: "gan")
        try Trainer(model: model, kind: "gan", data: MNISTSubset.data, run: run,
                    options: Self.options(steps: 9)).run()
        let fm = FileManager.default
        for url in [run.config, run.lastCheckpoint, run.metrics, run.lossPlot,
                    run.sheet(epoch: 1, name: "samples", main: true), run.sheet(epoch: 3, name: "interpolations", main: false)] {
            #expect(fm.fileExists(atPath: url.path), "missing \(url.path)")
        }
        let lines = try String(contentsOf: run.metrics, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)  // steps 2, 4, 6, 8 and the last, 9
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as! [String: Any]
        #expect(first["step"] as? Int == 2 && first["loss_d"] is Double && first["loss_g"] is Double)
        let sheet = try PNG.read(run.sheet(epoch: 1, name: "samples", main: true).path)
        #expect(sheet.width > 28 * 8 && sheet.height > 28 * 8)
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: run.config)) as! [String: Any]
        #expect(config["kind"] as? String == "gan")
        // TensorBoard sees the same metrics, every epoch's sheets and the config.
        #expect(run.eventFiles.count == 1)
        let events = try TensorBoardEventFile.events(at: run.eventFiles[0].path)
        let values = events.flatMap { e in e.values.map { (e.step, $0.tag, $0.value) } }
        #expect(values.filter { $0.1 == "loss_d" }.map(\.0) == [2, 4, 6, 8, 9])
        #expect(values.filter { $0.1 == "samples" }.map(\.0) == [4, 8, 9])
        #expect(values.contains { if case .text(let t) = $0.2 { return $0.1 == "config" && t.contains("\"kind\" : \"gan\"") } else { return false } })
    }

    /// Stopping and resuming gives the same weights as one uninterrupted run, mid-epoch included:
    /// for the VAE, the DDPM (whose moving average and its update count are checkpointed state)
    /// LAPGAN (three levels' networks under one optimizer each for G and D), Glow (actnorm's
    /// initialisation, the warm-up position, the dequantisation noise), RealNVP, pix2pix (dropout
    /// noise), a class-conditional Gated PixelCNN (the binarisation draws) and a PacGAN on the
    /// ring of 8 (fresh points every batch, two batches a step); and for the rest of the GAN family
    /// and the autoencoders: the WGAN (weight clipping, batch-norm critic) and WGAN-GP with 3 critic
    /// steps (so that a step spans batches across an epoch's end; 5 would need more than the 128
    /// images), the conditional GAN (label draws), InfoGAN (its third optimizer, for the codes),
    /// the autoencoder and the denoising one (the corruption draws). CycleGAN's rate decays over the
    /// run's length, which a shorter first run would change: its resume is checked in TranslationTests.
    @Test(arguments: ["vae", "ddpm", "lapgan", "glow", "realnvp", "pix2pix", "pixelcnn", "pacgan-ring8",
                       "wgan", "wgan-gp", "cgan", "infogan", "ae", "dae", "stylegan"])
    func resumeIsExact(_ kind: String) throws {
        let whole = Self.folder("whole-\(kind)"), split = Self.folder("split-\(kind)")
        defer { for r in [whole, split] { try? FileManager.default.removeItem(at: r.root) } }
        // The DDPM's sheets, drawn every epoch, take 5 DDIM steps instead of 50.
        func make() throws -> any GenerativeModel {
            if kind == "glow" {
                var config = Glow.Config()
                config.depth = 2
                config.hidden = 16
                return try GlowKind.make(config)
            }
            if kind == "pix2pix" {
                // Narrow networks: the check is of the checkpoint, not the model's quality.
                var config = Pix2Pix.Config()
                config.network.filters = 8
                config.network.discriminatorFilters = 8
                return try Pix2PixKind.make(config)
            }
            if kind == "stylegan" {
                // R1 at step 0, the path length at 0, 4 and 8, its running mean and the average.
                var config = StyleGAN.Config()
                (config.latent, config.mappingLayers, config.channels) = (16, 2, 16)
                return try StyleGANKind.make(config)
            }
            if kind == "pacgan-ring8" {
                var config = GAN.Config(architecture: .points)
                config.pack = 2
                return try GANKind.make(config)
            }
            if kind == "pixelcnn" {
                var config = PixelCNN.Config()
                config.gated = true
                config.classes = 10
                config.filters = 8
                config.layers = 2
                return try PixelCNNKind.make(config)
            }
            if kind == "wgan" || kind == "wgan-gp" {
                var config = WGAN.Config(constraint: kind == "wgan" ? .weightClipping(bound: 0.01) : .gradientPenalty(weight: 10))
                config.criticSteps = 3
                return try kind == "wgan" ? WGANKind.make(config) : WGANGPKind.make(config)
            }
            guard kind == "ddpm" else { return try ModelRegistry.make(kind: kind) }
            var config = DDPM.Config()
            config.samplingSteps = 5
            return try DDPMKind.make(config)
        }
        // pix2pix trains on the digits paired with their inverses.
        let data = kind == "pix2pix" ? try TrainingData.load("mnist-inverted", shape: .pairs)
            : kind == "pacgan-ring8" ? try TrainingData.load("ring8", shape: .points) : MNISTSubset.data
        let name = kind == "pacgan-ring8" ? "gan" : kind
        try Trainer(model: try make(), kind: name, data: data, run: whole, options: Self.options(steps: 10)).run()
        try Trainer(model: try make(), kind: name, data: data, run: split, options: Self.options(steps: 6)).run()
        let resumed = try make()
        try Trainer(model: resumed, kind: name, data: data, run: split,
                    options: Self.options(steps: 10)).run(resume: true)
        let a = try Checkpoint.read(from: whole.lastCheckpoint).tensors, b = try Checkpoint.read(from: split.lastCheckpoint).tensors
        #expect(a.keys.sorted() == b.keys.sorted())
        // A count, not the arrays: printing a DCGAN's weights on a failure takes minutes.
        for (k, v) in a.sorted(by: { $0.key < $1.key }) {
            let x = b[k]?.scalars ?? [], y = v.scalars
            let differing = zip(x, y).filter { $0.bitPattern != $1.bitPattern }.count
            #expect(x.count == y.count && differing == 0, "\(k): \(differing) of \(y.count) values differ")
        }
    }

    final class Diverging: GenerativeModel {
        let net = Linear(2, 2)
        lazy var opt = SGD(net.trainableParameters(), learningRate: 0.1)
        var calls = 0
        var configuration: Data { Data("{}".utf8) }
        var networks: [(String, Module)] { [("net", net)] }
        var optimizers: [(String, Optimizer)] { [("sgd", opt)] }
        var generators: [(String, RandomGenerator)] { [] }
        var data: DataRequirement { DataRequirement(range: 0...1) }
        func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
            calls += 1
            return ["loss": calls >= 5 ? .nan : 1]
        }
        func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] { [] }
    }

    @Test func aNaNLossStopsWithAClearError() throws {
        let run = Self.folder("nan")
        defer { try? FileManager.default.removeItem(at: run.root) }
        do {
            try Trainer(model: Diverging(), kind: "diverging", data: MNISTSubset.data, run: run,
                        options: Self.options(steps: 10)).run()
            Issue.record("expected an error")
        } catch let e as TrainingError {
            #expect(e.description.hasPrefix("loss became NaN or infinite at step 5"))
            #expect(e.description.contains(run.lastCheckpoint.path))  // step 3's checkpoint
        }
    }

    @Test func resumeRefusesAnotherKindOrAMissingCheckpoint() throws {
        let run = Self.folder("kind")
        defer { try? FileManager.default.removeItem(at: run.root) }
        #expect(throws: TrainingError.self) {
            try Trainer(model: try ModelRegistry.make(kind: "ae"), kind: "ae", data: MNISTSubset.data,
                        run: run, options: Self.options(steps: 2)).run(resume: true)
        }
        try Trainer(model: try ModelRegistry.make(kind: "ae"), kind: "ae", data: MNISTSubset.data,
                    run: run, options: Self.options(steps: 2)).run()
        #expect(throws: TrainingError.self) {
            try Trainer(model: try ModelRegistry.make(kind: "dae"), kind: "dae", data: MNISTSubset.data,
                        run: run, options: Self.options(steps: 4)).run(resume: true)
        }
    }

    /// A folder of 16×16 RGB PNGs trains the MLP GAN at that size through `mirage train gan`'s
    /// command; the DCGAN, built for 28×28, says so.
    @Test func trainsOnAFolderOfColourImages() throws {
        let images = Self.folder("rgb-pngs").root.path, out = Self.folder("rgb-run")
        defer { for p in [images, out.root.path] { try? FileManager.default.removeItem(atPath: p) } }
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        for i in 0..<24 {
            var image = RasterImage(width: 16, height: 16, channels: 3, filledWith: 0)
            for p in 0..<(16 * 16) { image.pixels[3 * p + i % 3] = UInt8((p * 7 + i * 13) % 256) }
            try PNG.write(image, to: String(format: "%@/%03d.png", images, i))
        }
        let gan = try TrainCommand<GANKind>.parse(["--dataset", images, "--steps", "3", "--batch-size", "8", "--out", out.root.path])
        try gan.run()
        let file = try Checkpoint.read(from: out.lastCheckpoint)
        let model = try ModelRegistry.make(kind: "gan", configuration: TrainingCheckpoint.header(file, path: "").config)
        #expect((model as? any Sampling)?.sample(count: 2, generator: RandomGenerator(seed: 0)).shape == [2, 3, 16, 16])
        let dcgan = try TrainCommand<DCGANKind>.parse(["--dataset", images, "--steps", "1", "--batch-size", "8", "--out", out.root.path + "-dc"])
        do {
            try dcgan.run()
            Issue.record("the DCGAN trained on 16×16 images")
        } catch let error as ModelConfigurationError {
            #expect(error.description.contains("the DCGAN architecture is for 28×28 images, and the data are 3×16×16"))
        }
    }
}
