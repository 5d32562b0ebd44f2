import ArgumentParser
import Foundation
import MirageData
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
        if runOptions.domainA != nil, Kind.dataShape != .unpairedDomains {
            throw ValidationError("--domain-a and --domain-b are for models trained on two unpaired domains (\(ModelRegistry.kinds.filter { $0.dataShape == .unpairedDomains }.map { $0.name }.joined(separator: ", "))); \(Kind.name) trains on \(Kind.dataShape.phrase): use --dataset")
        }
        let datasetName = runOptions.dataset ?? (runOptions.resume ? folder.storedDataset : nil) ?? "mnist"
        // Two domains named apart, on the command line or (resuming) in the run's config.json.
        let domains: (a: String, b: String)? = runOptions.domainA.map { ($0, runOptions.domainB!) }
            ?? (runOptions.resume && runOptions.dataset == nil ? folder.storedDomains : nil)
        func loadData(seed: UInt64) throws -> TrainingData {
            if let (a, b) = domains { return try TrainingData.domains(a, b, dataDirectory: runOptions.dataDir, seed: seed) }
            let shape: DataShape = Kind.acceptsPoints && DatasetCatalog.isToy(datasetName) ? .points : Kind.dataShape
            return try TrainingData.load(datasetName, shape: shape, dataDirectory: runOptions.dataDir, seed: seed)
        }
        var options = runOptions.trainingOptions
        // Under mpirun, the processes train the run together and rank 0 writes it.
        let group = try DistributedTraining.group()
        let leader = group.rank == 0
        // The folder's writer lock first: the checkpoint a resume starts from is read under it,
        // so that no other writer can replace it in between.
        let lock = leader ? try Trainer.lock(folder, resume: runOptions.resume) : nil
        let model: Kind.Model
        let data: TrainingData
        var checkpoint: Checkpoint?
        if runOptions.resume {
            // A resumed run is the same model on the same batches: the stored configuration wins,
            // and an option that would change it is refused rather than ignored.
            let file = try Checkpoint.read(from: folder.lastCheckpoint)
            let header = try TrainingCheckpoint.header(file, path: folder.lastCheckpoint.path)
            guard header.kind == Kind.name else {
                throw TrainingError.kindMismatch(run: folder.root.path, stored: header.kind, requested: Kind.name)
            }
            var conflicts: [String] = []
            if let stored = folder.storedTrainingOptions {
                conflicts += keepStoredRunOptions(stored, into: &options)
            }
            data = try loadData(seed: options.seed)
            let stored = try Kind.upgraded(header.config, from: header.configVersion)
            conflicts += try modelOptionConflicts(storedConfig: stored, seed: options.seed, data: data.description)
            guard conflicts.isEmpty else { throw TrainingError.resumeConflict(run: folder.root.path, conflicts: conflicts) }
            model = try Kind.make(json: stored)
            checkpoint = file
        } else {
            data = try loadData(seed: options.seed)
            model = try Kind.make(Kind.configuration(modelOptions, seed: options.seed, data: data.description))
        }
        let trainer = Trainer(model: model, kind: Kind.name, data: data, run: folder, options: options)
        trainer.processGroup = group
        let sizes = model.networks.map { "\($0.0): \($0.1.parameterCount) parameters" }.joined(separator: ", ")
        if leader { print("training \(Kind.name) (\(sizes)) on \(data.name) into \(folder.root.path)") }
        let losses: [String: Float]
        do {
            losses = try trainer.run(resume: runOptions.resume, checkpoint: checkpoint, lock: lock)
        } catch let stop as TrainingError {
            // A stop that saved the run is not a failure of it, but scripts must be able to tell
            // it from a finished run: the shell's 128 + signal for a signal (130 for Ctrl-C, 143
            // for SIGTERM), and EX_TEMPFAIL, 75, "try again", for the time limit.
            switch stop {
            case .interrupted(_, _, let signal):
                if leader { FileHandle.standardError.write(Data("\(stop)\n".utf8)) }
                throw ExitCode(128 + signal)
            case .timeLimitReached:
                if leader { FileHandle.standardError.write(Data("\(stop)\n".utf8)) }
                throw ExitCode(75)
            default:
                throw stop
            }
        }
        guard leader else { return }
        print("done: \(losses.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", "))")
        print("samples: \(folder.samples.path)/, curves: \(folder.lossPlot.path), checkpoint: \(folder.lastCheckpoint.path)")
    }

    /// Takes the seed, batch size, subset and excluded class the run was started with (they decide which batches
    /// each step sees); returns a conflict for each one given explicitly with another value. The run's
    /// length (`--steps`, `--epochs`) is kept too unless one is given: a run stopped by `--time-limit`
    /// or a signal continues to the end it was started for.
    private func keepStoredRunOptions(_ stored: TrainingOptions, into options: inout TrainingOptions) -> [String] {
        let defaults = TrainingOptions()
        var conflicts: [String] = []
        if options.steps == nil, options.epochs == defaults.epochs {
            options.steps = stored.steps
            options.epochs = stored.epochs
        }
        func keep<T: Equatable>(_ path: WritableKeyPath<TrainingOptions, T>, _ flag: String) {
            if options[keyPath: path] != defaults[keyPath: path], options[keyPath: path] != stored[keyPath: path] {
                conflicts.append("\(flag) \(options[keyPath: path]) differs from the run's \(stored[keyPath: path])")
            }
            options[keyPath: path] = stored[keyPath: path]
        }
        keep(\.seed, "--seed")
        keep(\.batchSize, "--batch-size")
        if let subset = options.trainingSubset, subset != stored.trainingSubset {
            conflicts.append("--subset \(subset) differs from the run's \(stored.trainingSubset.map(String.init) ?? "whole training set")")
        }
        options.trainingSubset = stored.trainingSubset
        if let k = options.excludedClass, k != stored.excludedClass {
            conflicts.append("--exclude-class \(k) differs from the run's \(stored.excludedClass.map(String.init) ?? "(every class trained on)")")
        }
        options.excludedClass = stored.excludedClass
        return conflicts
    }

    /// Each model option given with a value other than its default and the stored one.
    private func modelOptionConflicts(storedConfig: Data, seed: UInt64, data: DataDescription) throws -> [String] {
        func object(_ config: Kind.Config) throws -> [String: Any] {
            (try JSONSerialization.jsonObject(with: JSONEncoder().encode(config)) as? [String: Any]) ?? [:]
        }
        let asked = try object(Kind.configuration(modelOptions, seed: seed, data: data))
        let defaults = try object(Kind.configuration(Kind.Options.parse([]), seed: seed, data: data))
        let stored = (try? JSONSerialization.jsonObject(with: storedConfig) as? [String: Any]) ?? [:]
        func same(_ a: Any?, _ b: Any?) -> Bool { (a as? NSObject).map { $0.isEqual(b) } ?? (b == nil) }
        return asked.keys.sorted().compactMap { key in
            guard !same(asked[key], defaults[key]), !same(asked[key], stored[key]) else { return nil }
            return "the model's \(key) is \(stored[key].map { "\($0)" } ?? "unset") and the options ask for \(asked[key]!)"
        }
    }
}

extension ModelKind {
    /// The `mirage train <name>` subcommand of this kind.
    public static var trainCommand: any ParsableCommand.Type { TrainCommand<Self>.self }
}
