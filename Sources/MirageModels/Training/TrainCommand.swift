import ArgumentParser
import Foundation
import MirageNN
import MirageTensor

/// `mirage train <model>`: one subcommand per ``ModelKind``, taking the shared ``RunOptions`` and
/// that model's own options only.
///
/// ```swift
/// var command = try TrainCommand<VAEKind>.parse(["--steps", "100", "--latent", "2", "--out", "runs/vae2"])
/// try command.run()
/// ```
public struct TrainCommand<Kind: ModelKind>: ParsableCommand {
    public static var configuration: CommandConfiguration {
        CommandConfiguration(commandName: Kind.name, abstract: Kind.summary,
                             discussion: Kind.discussion.isEmpty ? "" : Kind.discussion)
    }

    @OptionGroup(title: "Run options") public var runOptions: RunOptions
    @OptionGroup(title: "Model options") public var modelOptions: Kind.Options

    public init() {}

    public func run() throws {
        if let threads = runOptions.threads { Kernels.setThreadCount(threads) }
        let folder = RunFolder(runOptions.out ?? "runs/\(Kind.name)")
        let datasetName = runOptions.dataset ?? (runOptions.resume ? folder.storedDataset : nil) ?? "mnist"
        let model: Kind.Model
        let data: TrainingData
        if runOptions.resume {
            // A resumed run is the same model on the same data: the stored configuration wins.
            guard FileManager.default.fileExists(atPath: folder.lastCheckpoint.path) else {
                throw TrainingError.nothingToResume(path: folder.lastCheckpoint.path)
            }
            let file = try Checkpoint.read(from: folder.lastCheckpoint)
            let header = try TrainingCheckpoint.header(file, path: folder.lastCheckpoint.path)
            guard header.kind == Kind.name else {
                throw TrainingError.kindMismatch(run: folder.root.path, stored: header.kind, requested: Kind.name)
            }
            data = try TrainingData.load(datasetName, shape: Kind.dataShape, dataDirectory: runOptions.dataDir,
                                         seed: runOptions.seed)
            model = try Kind.make(json: header.config)
        } else {
            data = try TrainingData.load(datasetName, shape: Kind.dataShape, dataDirectory: runOptions.dataDir,
                                         seed: runOptions.seed)
            model = try Kind.make(Kind.configuration(modelOptions, seed: runOptions.seed, data: data.description))
        }
        let trainer = Trainer(model: model, kind: Kind.name, data: data, run: folder, options: runOptions.trainingOptions)
        let sizes = model.networks.map { "\($0.0): \($0.1.parameterCount) parameters" }.joined(separator: ", ")
        print("training \(Kind.name) (\(sizes)) on \(data.name) into \(folder.root.path)")
        let losses = try trainer.run(resume: runOptions.resume)
        print("done: \(losses.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", "))")
        print("samples: \(folder.samples.path)/, curves: \(folder.lossPlot.path), checkpoint: \(folder.lastCheckpoint.path)")
    }
}

extension ModelKind {
    /// The `mirage train <name>` subcommand of this kind.
    public static var trainCommand: any ParsableCommand.Type { TrainCommand<Self>.self }
}

extension RunFolder {
    /// The dataset recorded in `config.json` by an earlier run, if any.
    public var storedDataset: String? {
        guard let data = try? Data(contentsOf: config),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
        return object["dataset"] as? String
    }
}
