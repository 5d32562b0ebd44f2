import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

/// A trained run's checkpoint with its header corrupted (the metadata holding the model kind,
/// configuration, step and generator states, and every tensor's shape and offsets): restoring and
/// sampling, what `mirage sample` does, ends in samples or an error, never a trap or a giant
/// allocation, for every built-in model.
@Suite(.serialized) struct TrainingCheckpointMutationTests {
    /// Small settings per model, so that 60 restores and draws take seconds: the check is of the
    /// checkpoint's reading, not of the model's quality.
    static let smallOptions: [String: [String]] = [
        "wgan": ["--critic-steps", "1"],
        "wgan-gp": ["--critic-steps", "1"],
        "ddpm": ["--width", "8", "--timesteps", "20", "--sampling-steps", "2"],
        "glow": ["--depth", "1", "--hidden", "8"],
        "realnvp": ["--hidden", "8", "--blocks", "0"],
        "pixelcnn": ["--filters", "4", "--layers", "1"],
        "pix2pix": ["--filters", "8", "--discriminator-filters", "8"],
        "cyclegan": ["--filters", "8", "--discriminator-filters", "8"],
    ]

    /// The data each model trains on here.
    static func data(for kind: any ModelKind.Type) throws -> TrainingData {
        switch kind.dataShape {
        case .pairs: return try TrainingData.load("mnist-edges", shape: .pairs)
        case .unpairedDomains: return try TrainingData.domains("mnist", "mnist-colored")
        default: return MNISTSubset.data
        }
    }

    static func build<K: ModelKind>(_ kind: K.Type, _ arguments: [String], data: DataDescription) throws -> any GenerativeModel {
        try K.make(K.configuration(K.Options.parse(arguments), seed: 0, data: data))
    }

    /// What a command does with a restored model: draw samples, or translate for the models that
    /// map images.
    static func use(_ model: any GenerativeModel) -> [Int]? {
        model.setTraining(false)
        if let sampler = model as? any Sampling { return sampler.sample(count: 2, generator: RandomGenerator(seed: 0)).shape }
        if let translator = model as? any TranslationModel {
            let way = translator.directions[0]
            return translator.translate(Tensor.rand([2] + translator.inputShape(way), generator: RandomGenerator(seed: 0)), direction: way).shape
        }
        return nil
    }

    @Test(arguments: ModelRegistry.builtIn.map { $0.name })
    func corruptHeadersNeverTrap(_ name: String) throws {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirage-mutation-\(ProcessInfo.processInfo.processIdentifier)-\(name)").path
        try? FileManager.default.removeItem(atPath: out)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let kind = try ModelRegistry.kind(named: name)
        let data = try Self.data(for: kind)
        let model = try Self.build(kind, Self.smallOptions[name] ?? [], data: data.description)
        var options = TrainingOptions()
        options.steps = 1
        options.batchSize = 8
        options.trainingSubset = 8
        options.epochs = 1
        try Trainer(model: model, kind: name, data: data, run: RunFolder(out), options: options).run()
        let good = Array(try Data(contentsOf: RunFolder(out).lastCheckpoint))
        let headerEnd = 8 + good.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let body = Array(good[headerEnd...])
        var restored = 0, refused = 0
        for (mutation, head) in Mutations.of(Array(good[..<headerEnd]), flips: 60) {
            do {
                let file = try Checkpoint.parse(Data(head + body), path: "last.safetensors")
                let header = try TrainingCheckpoint.header(file, path: "last.safetensors")
                let m = try TrainingCheckpoint.makeModel(header)
                try TrainingCheckpoint.restore(m, from: file, path: "last.safetensors")
                let shape = try #require(Self.use(m), "\(name) neither samples nor translates")
                #expect(shape.first == 2, "\(mutation)")
                restored += 1
            } catch is CheckpointError {
                refused += 1
            } catch is ModelConfigurationError {
                refused += 1
            } catch {
                Issue.record("\(mutation): unexpected error type \(type(of: error)): \(error)")
            }
        }
        #expect(refused > 0 && restored > 0, "\(name): \(restored) restored, \(refused) refused")
    }
}
