import Foundation

/// The files of one training run, as DESIGN.md lays them out:
///
/// ```
/// runs/NAME/
///   config.json            model kind, hyper-parameters and training options
///   checkpoints/last.safetensors
///   samples/epoch-NNN.png  sheets at fixed noise, one set per epoch
///   metrics.jsonl          one JSON object per logged step
///   loss.png               the loss curves
///   index.html             every epoch's sheets on one page
///   events.out.tfevents.*  the metrics, sheets and config for TensorBoard (`tensorboard --logdir runs`)
/// ```
public struct RunFolder: Sendable {
    public let root: URL

    public init(_ path: String) { root = URL(fileURLWithPath: path, isDirectory: true) }

    public var config: URL { root.appendingPathComponent("config.json") }
    public var checkpoints: URL { root.appendingPathComponent("checkpoints", isDirectory: true) }
    public var lastCheckpoint: URL { checkpoints.appendingPathComponent("last.safetensors") }
    public var samples: URL { root.appendingPathComponent("samples", isDirectory: true) }
    public var metrics: URL { root.appendingPathComponent("metrics.jsonl") }
    public var lossPlot: URL { root.appendingPathComponent("loss.png") }
    public var indexPage: URL { root.appendingPathComponent("index.html") }

    /// The TensorBoard event files in the folder (one per start or resume of the run).
    public var eventFiles: [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        return names.filter { $0.hasPrefix("events.out.tfevents.") }.sorted().map { root.appendingPathComponent($0) }
    }

    /// `anomaly/fanogan-encoder.safetensors`: the f-AnoGAN encoder `mirage eval anomaly` trained
    /// for this run's GAN (see ``FAnoGAN``); a new run in the folder removes it.
    public var fanoganEncoder: URL { root.appendingPathComponent("anomaly").appendingPathComponent("fanogan-encoder.safetensors") }

    /// The records of `metrics.jsonl`, in order: each logged step and its numeric values (the
    /// step and epoch included). Lines that do not read as a record with a step are skipped.
    public func metricsRecords() -> [(step: Int, values: [String: Double])] {
        guard let text = try? String(contentsOf: metrics, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = object["step"] as? Int else { return nil }
            return (step, object.compactMapValues { $0 as? Double })
        }
    }

    /// The sheet file for an epoch: `samples/epoch-003.png` for the main sheet, `samples/epoch-003-interpolations.png` for others.
    public func sheet(epoch: Int, name: String, main: Bool) -> URL {
        let stem = String(format: "epoch-%03d", epoch)
        return samples.appendingPathComponent(main ? "\(stem).png" : "\(stem)-\(name).png")
    }

    /// The files and folders a run writes here (present or not): what ``holdsRun`` looks for and
    /// ``removeRun()`` removes.
    private var runFiles: [URL] {
        [config, checkpoints, samples, metrics, lossPlot, indexPage, evaluations, fanoganEncoder.deletingLastPathComponent()]
            + eventFiles
    }

    /// Whether an earlier run (trained or imported) left files here.
    public var holdsRun: Bool { runFiles.contains { FileManager.default.fileExists(atPath: $0.path) } }

    /// Removes the files a run writes here, and nothing else, so that a new run starts clean.
    public func removeRun() throws {
        for url in runFiles where FileManager.default.fileExists(atPath: url.path) {
            try FileManager.default.removeItem(at: url)
        }
    }

    /// Creates the folder and its subfolders.
    public func create() throws {
        for dir in [root, checkpoints, samples] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
    }
}

extension RunFolder {
    /// `config.json` of an earlier run, if it is there and reads as JSON.
    private var storedConfig: [String: Any]? {
        guard let data = try? Data(contentsOf: config) else { return nil }
        return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
    }

    /// The model kind recorded in `config.json` by an earlier run, if any.
    public var storedKind: String? { storedConfig?["kind"] as? String }

    /// The dataset recorded in `config.json` by an earlier run, if any.
    public var storedDataset: String? { storedConfig?["dataset"] as? String }

    /// Domains A and B recorded in `config.json` by an earlier run trained on two domains named apart.
    public var storedDomains: (a: String, b: String)? {
        guard let d = storedConfig?["domains"] as? [String], d.count == 2 else { return nil }
        return (d[0], d[1])
    }

    /// The training options recorded in `config.json` by an earlier run, if any.
    public var storedTrainingOptions: TrainingOptions? {
        guard let training = storedConfig?["training"],
              let data = try? JSONSerialization.data(withJSONObject: training) else { return nil }
        return try? JSONDecoder().decode(TrainingOptions.self, from: data)
    }
}
