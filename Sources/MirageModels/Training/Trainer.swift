import Foundation
import MirageData
import MirageNN
import MirageTensor

/// What a training run does, beyond the model's own hyper-parameters.
public struct TrainingOptions: Codable, Sendable {
    /// Stop after this many steps; by default `epochs` full passes over the data.
    public var steps: Int?
    public var epochs = 5
    public var batchSize = 64
    /// Seeds the data order and the fixed noise of the sample sheets.
    public var seed: UInt64 = 0
    /// Save `checkpoints/last.safetensors` every this many steps (and at the end).
    public var checkpointEvery = 1000
    /// Append to `metrics.jsonl` every this many steps.
    public var logEvery = 50
    /// Use only the first this many training images (for quick experiments and tests).
    public var trainingSubset: Int?
    public init() {}
}

/// Why a run stopped early.
public enum TrainingError: Error, CustomStringConvertible {
    case nonFinite(loss: String, step: Int, checkpoint: String?)
    case kindMismatch(run: String, stored: String, requested: String)
    case nothingToResume(path: String)

    public var description: String {
        switch self {
        case .nonFinite(let loss, let step, let checkpoint):
            "\(loss) became NaN or infinite at step \(step); training stopped without saving it. "
                + (checkpoint.map { "The last good checkpoint is \($0); resume from it with a lower --lr." }
                    ?? "No checkpoint was saved yet; try a lower --lr.")
        case .kindMismatch(let run, let stored, let requested):
            "\(run) holds a \(stored) run, not \(requested); pick another --out or train \(stored)"
        case .nothingToResume(let path):
            "--resume: no checkpoint at \(path); start without --resume"
        }
    }
}

/// The training loop every model shares: batches, the model's step, a progress bar, metrics,
/// sample sheets at fixed noise every epoch, a loss-curve image, checkpoints every N steps and
/// at the end, exact resume, and a checkpoint on Ctrl-C.
///
/// ```swift
/// let model = try ModelRegistry.make(kind: "dcgan")
/// let trainer = Trainer(model: model, kind: "dcgan", train: try .mnist(split: .train),
///                       test: try .mnist(split: .test), run: RunFolder("runs/dcgan"), options: TrainingOptions())
/// try trainer.run()
/// ```
public final class Trainer {
    public let model: any GenerativeModel
    public let kind: String
    public let run: RunFolder
    public let options: TrainingOptions
    let train: ImageDataset
    let test: ImageDataset

    public init(model: any GenerativeModel, kind: String, train: ImageDataset, test: ImageDataset, run: RunFolder,
                options: TrainingOptions) {
        self.model = model
        self.kind = kind
        self.train = options.trainingSubset.map { n in train.subset(Array(0..<min(n, train.count))) } ?? train
        self.test = test
        self.run = run
        self.options = options
    }

    /// Trains, resuming from `checkpoints/last.safetensors` when `resume` is set.
    ///
    /// - Returns: The last logged losses.
    /// - Throws: ``TrainingError`` for a diverging loss or a mismatched resume, ``CheckpointError``
    ///   and file errors for unreadable or unwritable files.
    @discardableResult
    public func run(resume: Bool = false) throws -> [String: Float] {
        try run.create()
        var step = 0
        if resume {
            guard FileManager.default.fileExists(atPath: run.lastCheckpoint.path) else {
                throw TrainingError.nothingToResume(path: run.lastCheckpoint.path)
            }
            let file = try Checkpoint.read(from: run.lastCheckpoint)
            let header = try TrainingCheckpoint.header(file, path: run.lastCheckpoint.path)
            guard header.kind == kind else {
                throw TrainingError.kindMismatch(run: run.root.path, stored: header.kind, requested: kind)
            }
            try TrainingCheckpoint.restore(model, from: file, path: run.lastCheckpoint.path)
            step = header.step
        } else {
            try? FileManager.default.removeItem(at: run.metrics)
        }
        try writeConfig()

        let format = model.inputFormat
        precondition(format.range == 0...1 || format.range == -1...1, "Trainer: input range \(format.range) is neither [0, 1] nor [-1, 1]")
        let loader = DataLoader(train, batchSize: options.batchSize, shuffle: true, dropLast: true, seed: options.seed,
                                transform: LoaderTransform(scaling: format.range == 0...1 ? .unit : .symmetric,
                                                           binarization: format.dynamicBinarization ? .dynamic : .none))
        let perEpoch = loader.batchesPerEpoch
        precondition(perEpoch > 0, "Trainer: \(train.count) images make no batch of \(options.batchSize)")
        let total = options.steps ?? options.epochs * perEpoch
        let fixed = test.tensor(indices: Array(0..<min(64, test.count)), range: model.inputFormat.range)
        let progress = ProgressReporter(totalSteps: total, stepsPerEpoch: perEpoch, firstStep: step)
        var history = try readHistory()
        var last: [String: Float] = [:]
        var running: [String: Float] = [:]
        InterruptSignal.install()
        defer { InterruptSignal.uninstall() }
        if step > 0 { progress.message("resuming \(kind) at step \(step) of \(total) from \(run.lastCheckpoint.path)") }

        model.setTraining(true)
        while step < total {
            let epoch = step / perEpoch, first = step % perEpoch
            // A resumed run re-creates the rest of its epoch batch by batch: batches depend only on
            // (seed, epoch, index), so data and augmentation are bit-identical to an uninterrupted run.
            let batches: AnySequence<Batch> = first == 0 ? AnySequence(loader.epoch(epoch))
                : AnySequence((first..<perEpoch).lazy.map { loader.batch($0, epoch: epoch) })
            for batch in batches {
                if step >= total { break }
                let losses = model.trainStep(images: batch.images, labels: batch.labels)
                step += 1
                if let bad = losses.first(where: { !$0.value.isFinite }) {
                    let saved = FileManager.default.fileExists(atPath: run.lastCheckpoint.path) ? run.lastCheckpoint.path : nil
                    throw TrainingError.nonFinite(loss: bad.key, step: step, checkpoint: saved)
                }
                for (k, v) in losses { running[k] = running[k].map { 0.9 * $0 + 0.1 * v } ?? v }
                last = losses
                progress.update(step: step, losses: running.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
                if step % options.logEvery == 0 || step == total {
                    try appendMetrics(step: step, epoch: Double(step) / Double(perEpoch), losses: losses,
                                      rate: progress.rate(at: step))
                    for (k, v) in losses { history[k, default: []].append((step, v)) }
                }
                if step % options.checkpointEvery == 0 || step == total || InterruptSignal.requested {
                    try TrainingCheckpoint.save(model, kind: kind, step: step, to: run.lastCheckpoint)
                }
                if InterruptSignal.requested {
                    progress.message("interrupted: saved step \(step) to \(run.lastCheckpoint.path); continue with --resume")
                    return last
                }
                if step % perEpoch == 0 || step == total {
                    try writeSheets(epoch: (step - 1) / perEpoch + 1, fixed: fixed)
                    try PNG.write(LossCurve.render(history.sorted { $0.key < $1.key }), to: run.lossPlot.path)
                }
            }
        }
        return last
    }

    private func writeConfig() throws {
        let config: [String: Any] = [
            "kind": kind,
            "model": (try? JSONSerialization.jsonObject(with: model.configuration)) ?? [:],
            "training": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(options))) ?? [:],
        ]
        try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys]).write(to: run.config)
    }

    private func appendMetrics(step: Int, epoch: Double, losses: [String: Float], rate: Double) throws {
        var record: [String: Any] = ["step": step, "epoch": (epoch * 1000).rounded() / 1000, "steps_per_s": (rate * 100).rounded() / 100]
        for (k, v) in losses { record[k] = Double(v) }
        var line = try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys])
        line.append(0x0A)
        if let handle = try? FileHandle(forWritingTo: run.metrics) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: run.metrics)
        }
    }

    /// The loss history from `metrics.jsonl`, so that a resumed run's curve covers the whole run.
    private func readHistory() throws -> [String: [(Int, Float)]] {
        guard let text = try? String(contentsOf: run.metrics, encoding: .utf8) else { return [:] }
        var history: [String: [(Int, Float)]] = [:]
        for line in text.split(separator: "\n") {
            guard let obj = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = obj["step"] as? Int else { continue }
            for (k, v) in obj where !["step", "epoch", "steps_per_s"].contains(k) {
                if let d = v as? Double { history[k, default: []].append((step, Float(d))) }
            }
        }
        return history
    }

    private func writeSheets(epoch: Int, fixed: Tensor) throws {
        model.setTraining(false)
        defer { model.setTraining(true) }
        // The same noise every epoch: sheets show how the model changed, not a new draw.
        let sheets = model.sheets(fixed: fixed, noise: RandomGenerator(seed: options.seed &+ 12345))
        for (i, sheet) in sheets.enumerated() {
            try ImageGrid.save(sheet.images, to: run.sheet(epoch: epoch, name: sheet.name, main: i == 0).path, nrow: sheet.columns)
        }
    }
}
