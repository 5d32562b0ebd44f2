import Foundation
import MirageModels
import MirageNN
import MirageTensor
import Testing

/// Stored configurations carry the version of their form: a run from before versions (0) loads
/// through its kind's upgrade, one from a newer Mirage is refused with the versions named.
@Suite struct ConfigurationVersionTests {
    @Test func oldRunsUpgradeAndNewerOnesAreRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-config-version-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = RunFolder(path)
        var options = TrainingOptions()
        options.steps = 2
        options.batchSize = 16
        options.trainingSubset = 32
        try Trainer(model: try ModelRegistry.make(kind: "vae"), kind: "vae", data: MNISTSubset.data, run: run, options: options).run()
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: run.config)) as! [String: Any]
        #expect(config["config_version"] as? Int == VAEKind.configurationVersion)

        var file = try Checkpoint.read(from: run.lastCheckpoint)
        #expect(try TrainingCheckpoint.header(file, path: path).configVersion == 1)
        // As a run from before versions wrote it: no version, and no choice of networks (the MLP).
        var stored = try JSONSerialization.jsonObject(with: Data(file.metadata["mirage.config"]!.utf8)) as! [String: Any]
        stored["architecture"] = nil
        file.metadata["mirage.config"] = String(decoding: try JSONSerialization.data(withJSONObject: stored, options: [.sortedKeys]), as: UTF8.self)
        file.metadata["mirage.config_version"] = nil
        let header = try TrainingCheckpoint.header(file, path: path)
        #expect(header.configVersion == 0)
        let old = try #require(try TrainingCheckpoint.makeModel(header) as? VAE)
        #expect(old.config.architecture == .mlp)
        try TrainingCheckpoint.restore(old, from: file, path: path)

        file.metadata["mirage.config_version"] = "99"
        let newer = try TrainingCheckpoint.header(file, path: path)
        #expect { try TrainingCheckpoint.makeModel(newer) } throws: { error in
            "\(error)".contains("configuration version 99, written by a newer Mirage") && "\(error)".contains("up to version 1")
        }
        file.metadata["mirage.config_version"] = "one"
        #expect(throws: CheckpointError.self) { try TrainingCheckpoint.header(file, path: path) }
    }
}
