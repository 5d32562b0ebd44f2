import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor
import Testing

/// The README's "Add a model" walkthrough, followed: a model defined outside Mirage registers,
/// trains and resumes through `mirage train`'s own command (`TrainCommand`), with extra state
/// (an EMA and a counter) restored bit for bit, and its capabilities reach the commands.
@Suite(.serialized) struct WalkthroughTests {
    static func folder(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirage-walkthrough-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        return path
    }

    static func train(_ arguments: [String]) throws {
        ModelRegistry.register(ClassGaussianKind.self)
        let command = try TrainCommand<ClassGaussianKind>.parse(arguments)
        try command.run()
    }

    @Test func registersAndTrainsThroughTheCommand() throws {
        let out = Self.folder("train")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.train(["--steps", "40", "--batch-size", "32", "--subset", "512", "--out", out, "--log-every", "1"])
        #expect(ModelRegistry.names.contains("class-gaussian"))
        let lines = try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        let nll = lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["nll"] as? Double }
        #expect(nll.count == 40)
        // Adam at 0.02 moves every mean and scale: the NLL of the batches falls by far more than
        // batch-to-batch noise (about 1,300 nats at the start, below 1,000 nats after 40 steps).
        #expect(nll.last! < nll.first! - 300, "nll went from \(nll.first!) to \(nll.last!)")
        let model = try ModelRegistry.make(kind: "class-gaussian",
                                           configuration: TrainingCheckpoint.header(Checkpoint.read(from: RunFolder(out).lastCheckpoint),
                                                                                    path: out).config)
        #expect(model is any ConditionalSampling && model is any LikelihoodModel && !(model is any ReconstructionModel))
        #expect(ModelRegistry.names { $0 is any ConditionalSampling.Type } == ["cgan", "infogan", "ddpm", "pixelcnn", "class-gaussian"])
        #expect(ModelRegistry.names { $0 is any LikelihoodModel.Type } == ["vae", "ddpm", "glow", "realnvp", "pixelcnn", "class-gaussian"])
        #expect(ModelRegistry.kinds(takingSamplingOption: "temperature") == ["glow", "realnvp"])
        #expect(ModelRegistry.kinds(takingSamplingOption: "spread") == ["class-gaussian"])
    }

    /// 6 steps, then a resume to 10, equal 10 uninterrupted steps bit for bit: weights, Adam's
    /// moments, the EMA and the step counter.
    @Test func resumeRestoresExtraStateExactly() throws {
        let whole = Self.folder("whole"), split = Self.folder("split")
        defer { for f in [whole, split] { try? FileManager.default.removeItem(atPath: f) } }
        let common = ["--batch-size", "16", "--subset", "64", "--checkpoint-every", "3"]
        try Self.train(common + ["--steps", "10", "--out", whole])
        try Self.train(common + ["--steps", "6", "--out", split])
        try Self.train(common + ["--steps", "10", "--out", split, "--resume"])
        let a = try Checkpoint.read(from: RunFolder(whole).lastCheckpoint).tensors
        let b = try Checkpoint.read(from: RunFolder(split).lastCheckpoint).tensors
        #expect(a.keys.sorted() == b.keys.sorted())
        #expect(a.keys.contains("state.ema.mean") && a.keys.contains("state.steps") && a["state.steps"]?.scalars == [10])
        for (k, v) in a { #expect(b[k]!.scalars.map(\.bitPattern) == v.scalars.map(\.bitPattern), "\(k) differs") }
    }

    @Test func conditionalSamplesFollowTheirClass() throws {
        let out = Self.folder("classes")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.train(["--steps", "60", "--batch-size", "64", "--subset", "2048", "--out", out, "--lr", "0.05"])
        let file = try Checkpoint.read(from: RunFolder(out).lastCheckpoint)
        let model = try ModelRegistry.make(kind: "class-gaussian", configuration: TrainingCheckpoint.header(file, path: out).config)
        try TrainingCheckpoint.restore(model, from: file, path: out)
        let conditional = try #require(model as? any ConditionalSampling)
        // The mean sample of class 1 (a thin vertical stroke) has far less ink than class 0's ring.
        let ones = conditional.sample(count: 64, class: 1, generator: RandomGenerator(seed: 0)).mean().item
        let zeros = conditional.sample(count: 64, class: 0, generator: RandomGenerator(seed: 0)).mean().item
        #expect(ones < zeros * 0.8, "class 1 ink \(ones), class 0 ink \(zeros)")
    }

    /// `mirage sample`'s entry point with the model's own option: `--spread 0` draws the class
    /// mean, the same image every time; an option of another model is the parser's error.
    @Test func samplesWithItsOwnOptions() throws {
        let out = Self.folder("own-options")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try Self.train(["--steps", "20", "--batch-size", "64", "--subset", "1024", "--out", out])
        let file = try Checkpoint.read(from: RunFolder(out).lastCheckpoint)
        let kind = try ModelRegistry.kind(named: "class-gaussian")
        let model = try kind.make(json: TrainingCheckpoint.header(file, path: out).config)
        try TrainingCheckpoint.restore(model, from: file, path: out)
        let means = try kind.sample(model, SampleRequest(count: 3, seed: 1), arguments: ["--class", "4", "--spread", "0"])
        let spread = try kind.sample(model, SampleRequest(count: 3, seed: 1), arguments: ["--class", "4"])
        #expect(means.shape == [3, 1, 28, 28])
        let first = means.sliced(axis: 0, 0..<1).scalars
        #expect(means.sliced(axis: 0, 1..<2).scalars == first && means.sliced(axis: 0, 2..<3).scalars == first)
        #expect(spread.sliced(axis: 0, 0..<1).scalars != first)
        #expect(throws: (any Error).self) { try kind.sample(model, SampleRequest(count: 1, seed: 0), arguments: ["--temperature", "0.7"]) }
        #expect(throws: (any Error).self) { try kind.sample(model, SampleRequest(count: 1, seed: 0), arguments: ["--class", "10"]) }
    }

    @Test func aModelNeedingLabelsRefusesAnUnlabelledFolder() throws {
        let images = Self.folder("pngs"), out = Self.folder("pngs-run")
        defer { for f in [images, out] { try? FileManager.default.removeItem(atPath: f) } }
        try FileManager.default.createDirectory(atPath: images, withIntermediateDirectories: true)
        for i in 0..<4 {
            try PNG.write(RasterImage(width: 28, height: 28, channels: 1, filledWith: UInt8(i * 60)), to: "\(images)/\(i).png")
        }
        #expect(throws: TrainingDataError.unlabelled(dataset: images)) {
            try Self.train(["--steps", "1", "--batch-size", "2", "--dataset", images, "--out", out])
        }
    }
}
