import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor
import Testing

/// The trainer hands each model the data it asked for: several batches a step, aligned pairs, two
/// independently shuffled domains, 2-D points; and the same batches after a resume.
@Suite(.serialized) struct TrainingDataTests {
    /// A model that learns nothing and records what each step received.
    final class Recorder: GenerativeModel {
        let requirement: DataRequirement
        let net = Linear(2, 1, generator: RandomGenerator(seed: 0))
        var inputs: [StepInput] = []
        var contexts: [StepContext] = []
        init(_ requirement: DataRequirement) { self.requirement = requirement }
        var configuration: Data { Data("{}".utf8) }
        var networks: [(String, Module)] { [("net", net)] }
        var optimizers: [(String, Optimizer)] { [] }
        var generators: [(String, RandomGenerator)] { [] }
        var data: DataRequirement { requirement }
        func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
            inputs.append(input)
            contexts.append(context)
            return ["loss": 0]
        }
        func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] { [] }
    }

    static func folder(_ name: String) -> RunFolder {
        RunFolder(FileManager.default.temporaryDirectory
            .appendingPathComponent("mirage-data-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path)
    }

    static func options(steps: Int, subset: Int = 96) -> TrainingOptions {
        var o = TrainingOptions()
        o.steps = steps
        o.batchSize = 8
        o.trainingSubset = subset
        o.checkpointEvery = 2
        o.logEvery = 100
        return o
    }

    @discardableResult
    static func train(_ model: Recorder, _ data: TrainingData, _ name: String, steps: Int, resume: Bool = false) throws -> Recorder {
        let run = folder(name)
        if !resume { try? FileManager.default.removeItem(at: run.root) }
        try Trainer(model: model, kind: "recorder", data: data, run: run, options: options(steps: steps)).run(resume: resume)
        return model
    }

    @Test func severalBatchesPerStepAndTheStepContext() throws {
        let model = try Self.train(Recorder(DataRequirement(batchesPerStep: 3)), MNISTSubset.data, "multi", steps: 5)
        // 96 images make 12 batches of 8, so 4 steps of 3 batches an epoch.
        #expect(model.inputs.count == 5 && model.inputs.allSatisfy { $0.batches.count == 3 })
        #expect(model.contexts.map(\.step) == [0, 1, 2, 3, 4] && model.contexts.map(\.epoch) == [0, 0, 0, 0, 1])
        #expect(model.contexts.allSatisfy { $0.stepsPerEpoch == 4 && $0.totalSteps == 5 })
        let firstEpoch = model.inputs.prefix(4).flatMap { $0.batches.flatMap(\.indices) }
        #expect(firstEpoch.sorted() == Array(0..<96), "an epoch visits every image once")
        try? FileManager.default.removeItem(at: Self.folder("multi").root)
    }

    @Test func alignedPairsSplitIntoTheirDomains() throws {
        let data = try TrainingData.load("mnist-edges", shape: .pairs)
        let model = try Self.train(Recorder(DataRequirement(shape: .pairs, range: -1...1)), data, "pairs", steps: 2)
        guard case let .pairs(pairs) = data.train else { Issue.record("mnist-edges should load as pairs"); return }
        for input in model.inputs {
            let (a, b) = input.pair()
            let indices = input.batches[0].indices
            let (wantA, wantB) = (pairs.a.tensor(indices: indices, range: -1...1), pairs.b.tensor(indices: indices, range: -1...1))
            #expect(a.shape == [8, 1, 28, 28] && b.shape == [8, 1, 28, 28])
            #expect((a - wantA).abs().max().item < 1e-6, "A must be the edge maps of the batch's samples")
            #expect((b - wantB).abs().max().item < 1e-6, "B must be the digits of the batch's samples")
        }
        try? FileManager.default.removeItem(at: Self.folder("pairs").root)
    }

    @Test func twoDomainsAreShuffledApart() throws {
        let data = try TrainingData.load("mnist-colored", shape: .unpairedDomains)
        let model = try Self.train(Recorder(DataRequirement(shape: .unpairedDomains)), data, "unpaired", steps: 3)
        for input in model.inputs {
            #expect(input.images.shape == [8, 3, 28, 28] && input.batchesB[0].images.shape == [8, 1, 28, 28])
            #expect(input.batches[0].indices != input.batchesB[0].indices, "domain B must not follow A's order")
        }
        try? FileManager.default.removeItem(at: Self.folder("unpaired").root)
    }

    @Test func pointsComeFromTheToyDistribution() throws {
        let data = try TrainingData.load("ring8", shape: .points)
        let model = try Self.train(Recorder(DataRequirement(shape: .points)), data, "points", steps: 2)
        #expect(model.inputs.map(\.images.shape) == [[8, 2], [8, 2]])
        let radius = model.inputs[0].images.pow(2).sum(axis: 1).sqrt().scalars
        #expect(radius.allSatisfy { Swift.abs($0 - 1) < 0.06 }, "ring8 points lie on the unit circle: \(radius)")
        #expect(model.inputs[0].images.scalars != model.inputs[1].images.scalars)
        try? FileManager.default.removeItem(at: Self.folder("points").root)
    }

    @Test func dataOfTheWrongShapeIsRefused() throws {
        #expect(throws: TrainingDataError.wrongShape(dataset: "mnist", has: .images, wanted: .pairs)) {
            try TrainingData.load("mnist", shape: .pairs)
        }
        #expect(throws: TrainingDataError.wrongShape(dataset: "moons", has: .points, wanted: .images)) {
            try TrainingData.load("moons", shape: .images)
        }
        #expect(throws: TrainingDataError.unknown("no-such-dataset")) { try TrainingData.load("no-such-dataset", shape: .images) }
        #expect(throws: TrainingDataError.wrongShape(dataset: "mnist", has: .images, wanted: .points)) {
            try Self.train(Recorder(DataRequirement(shape: .points)), MNISTSubset.data, "wrong", steps: 1)
        }
        #expect(throws: TrainingDataError.tooFew(dataset: "mnist", count: 96, needed: 104)) {
            try Self.train(Recorder(DataRequirement(batchesPerStep: 13)), MNISTSubset.data, "few", steps: 1)
        }
    }

    /// Stopping after 3 of 7 steps (mid-epoch, three batches a step) and resuming gives steps 4-7
    /// the batches an uninterrupted run gives them.
    @Test func aResumedRunSeesTheSameBatches() throws {
        let need = DataRequirement(batchesPerStep: 3, range: -1...1, cropPadding: 2, horizontalFlip: true)
        let whole = try Self.train(Recorder(need), MNISTSubset.data, "whole", steps: 7)
        try Self.train(Recorder(need), MNISTSubset.data, "split", steps: 3)
        let resumed = try Self.train(Recorder(need), MNISTSubset.data, "split", steps: 7, resume: true)
        #expect(resumed.contexts.map(\.step) == [3, 4, 5, 6])
        for (a, b) in zip(whole.inputs.suffix(4), resumed.inputs) {
            for (x, y) in zip(a.batches, b.batches) {
                #expect(x.indices == y.indices)
                #expect(x.images.scalars == y.images.scalars, "augmentation must repeat too")
            }
        }
        for name in ["whole", "split"] { try? FileManager.default.removeItem(at: Self.folder(name).root) }
    }
}
