import ArgumentParser
import Foundation
import MirageModels
import MirageNN

/// A trained run, restored: the model from its checkpoint, its kind and the dataset it trained on.
struct LoadedRun {
    let model: any GenerativeModel
    let kind: String
    /// The model's kind, from the registry: what the commands ask for its own options.
    let kindType: any ModelKind.Type
    /// The dataset recorded in the run folder's config.json (mnist when there is none).
    let dataset: String
    /// Domains A and B when the run trained on two domains named apart.
    let domains: (a: String, b: String)?
    /// The run folder (for a checkpoint file, the run it sits in).
    let folder: RunFolder
    /// The training step the checkpoint was saved at.
    let step: Int

    /// Restores the run in a run folder, or the model in a checkpoint file.
    init(_ path: String) throws {
        let (file, isDirectory) = try Self.checkpointFile(path)
        let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: file))
        let header = try TrainingCheckpoint.header(checkpoint, path: file)
        kindType = try ModelRegistry.kind(named: header.kind)
        model = try kindType.make(json: header.config, version: header.configVersion)
        try TrainingCheckpoint.restore(model, from: checkpoint, path: file)
        kind = header.kind
        step = header.step
        folder = isDirectory ? RunFolder(path) : RunFolder(URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().path)
        dataset = folder.storedDataset ?? "mnist"
        domains = folder.storedDomains
    }

    /// The kind of the model in a run folder or checkpoint file, read from the checkpoint's header
    /// without building the model.
    static func kind(of path: String) throws -> any ModelKind.Type {
        let (file, _) = try checkpointFile(path)
        let header = try TrainingCheckpoint.header(Checkpoint.read(from: URL(fileURLWithPath: file)), path: file)
        return try ModelRegistry.kind(named: header.kind)
    }

    /// The checkpoint a path names: a run folder's last one, or the file itself.
    private static func checkpointFile(_ path: String) throws -> (file: String, isDirectory: Bool) {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else { throw ValidationError("\(path) does not exist; pass a run folder such as runs/dcgan") }
        let file = isDirectory.boolValue ? RunFolder(path).lastCheckpoint.path : path
        guard FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("\(path) has no checkpoint at \(file); train it first with mirage train")
        }
        return (file, isDirectory.boolValue)
    }
}
