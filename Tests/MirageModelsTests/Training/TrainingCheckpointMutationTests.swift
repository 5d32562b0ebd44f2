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
    @Test(arguments: ["ae", "dae", "vae", "gan", "dcgan"])
    func corruptHeadersNeverTrap(_ kind: String) throws {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirage-mutation-\(ProcessInfo.processInfo.processIdentifier)-\(kind)").path
        try? FileManager.default.removeItem(atPath: out)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let model = try ModelRegistry.make(kind: kind)
        var options = TrainingOptions()
        options.steps = 1
        options.batchSize = 8
        options.trainingSubset = 8
        try Trainer(model: model, kind: kind, data: MNISTSubset.data, run: RunFolder(out), options: options).run()
        let good = Array(try Data(contentsOf: RunFolder(out).lastCheckpoint))
        let headerEnd = 8 + good.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let body = Array(good[headerEnd...])
        var restored = 0, refused = 0
        for (name, head) in Mutations.of(Array(good[..<headerEnd]), flips: 60) {
            do {
                let file = try Checkpoint.parse(Data(head + body), path: "last.safetensors")
                let header = try TrainingCheckpoint.header(file, path: "last.safetensors")
                let m = try ModelRegistry.make(kind: header.kind, configuration: header.config)
                try TrainingCheckpoint.restore(m, from: file, path: "last.safetensors")
                m.setTraining(false)
                let s = try #require(m as? any Sampling).sample(count: 2, generator: RandomGenerator(seed: 0))
                #expect(s.shape.first == 2, "\(name)")
                restored += 1
            } catch is CheckpointError {
                refused += 1
            } catch is ModelConfigurationError {
                refused += 1
            } catch {
                Issue.record("\(name): unexpected error type \(type(of: error)): \(error)")
            }
        }
        #expect(refused > 0 && restored > 0, "\(kind): \(restored) restored, \(refused) refused")
    }
}
