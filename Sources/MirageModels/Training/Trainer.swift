import Foundation
import MirageData
import MirageNN
import MirageTensor

/// The training loop every model shares: loaders for the data the model asks for, the model's
/// step, a progress bar, metrics, sample sheets at fixed noise every epoch, a loss-curve image,
/// checkpoints every N steps and at the end, exact resume, and a checkpoint on Ctrl-C.
///
/// ```swift
/// let model = try ModelRegistry.make(kind: "dcgan")
/// let trainer = Trainer(model: model, kind: "dcgan", data: try .mnist(), run: RunFolder("runs/dcgan"),
///                       options: TrainingOptions())
/// try trainer.run()
/// ```
public final class Trainer {
    public let model: any GenerativeModel
    public let kind: String
    public let run: RunFolder
    public let options: TrainingOptions
    /// Applies every update of the model's steps; set its ``Updater/gradientHook`` before ``run(resume:)``
    /// to act on every gradient between the backward pass and the optimizer (e.g. averaging across processes).
    public let updater = Updater()
    /// The processes that train this run together (data parallelism; see ``DataParallel``):
    /// each takes its share of every global batch of ``TrainingOptions/batchSize``, gradients are
    /// averaged before every update, and rank 0 alone writes the run folder. One process by
    /// default; set before ``run(resume:)``.
    public var processGroup: any ProcessGroup = SingleProcess()
    let data: TrainingData

    public init(model: any GenerativeModel, kind: String, data: TrainingData, run: RunFolder, options: TrainingOptions) {
        self.model = model
        self.kind = kind
        var data = data
        data.train = data.trainingSplit(for: options)
        self.data = data
        self.run = run
        self.options = options
    }

    /// The streams of training batches, each positioned at global batch `first`.
    private func streams(startingAt first: Int) throws -> (main: BatchStream, b: BatchStream?) {
        let need = model.data
        func loader(_ d: ImageDataset, seed: UInt64) throws -> DataLoader {
            guard d.count >= options.batchSize else {
                throw TrainingDataError.tooFew(dataset: d.name, count: d.count, needed: options.batchSize)
            }
            return DataLoader(d, batchSize: options.batchSize, shuffle: true, dropLast: true, seed: seed,
                              transform: need.trainingTransform)
        }
        switch data.train {
        case let .images(d):
            return (BatchStream(try loader(d, seed: options.seed), startingAt: first), nil)
        case let .pairs(p):
            return (BatchStream(try loader(p.stacked(), seed: options.seed), startingAt: first), nil)
        case let .unpaired(u):
            // Each domain has its own order, so no pairing that the sources may have leaks in.
            return (BatchStream(try loader(u.a, seed: options.seed), startingAt: first),
                    BatchStream(try loader(u.b, seed: options.seed &+ 1), startingAt: first))
        case let .points(toy):
            return (BatchStream(toy, batchSize: options.batchSize, seed: options.seed, startingAt: first), nil)
        }
    }

    /// Up to 64 test samples for the sheets (2,500 points of a 2-D toy), scaled as the model wants and never augmented.
    private func fixedInput() -> StepInput {
        let range = model.data.range
        func batch(_ d: ImageDataset) -> Batch {
            let first = Array(0..<min(64, d.count))
            return Batch(images: d.tensor(indices: first, range: range), labels: Tensor(first.map { Float(d.labels[$0]) }),
                         indices: first)
        }
        switch data.test {
        case let .images(d): return StepInput(batches: [batch(d)])
        case let .pairs(p): return StepInput(batches: [batch(p.stacked())], pairChannels: (p.a.channels, p.b.channels))
        case let .unpaired(u): return StepInput(batches: [batch(u.a)], batchesB: [batch(u.b)])
        case let .points(toy):
            // As many real points as a scatter sheet draws generated ones (VEEGAN and PacGAN plot 2,500).
            return StepInput(images: toy.sample(count: 2500, generator: RandomGenerator(seed: options.seed &+ 54321)))
        }
    }

    /// Trains, resuming from `checkpoints/last.safetensors` when `resume` is set. A fresh run
    /// refuses a folder that already holds a run unless ``TrainingOptions/overwrite`` is set.
    ///
    /// - Returns: The last logged losses.
    /// - Throws: ``TrainingError`` for a diverging loss, a mismatched resume, an occupied run folder,
    ///   a folder another process is training into (``TrainingError/runLocked(run:pid:)``), a stop
    ///   signal (``TrainingError/interrupted(step:checkpoint:signal:)``) or the time limit
    ///   (``TrainingError/timeLimitReached(step:checkpoint:limit:)``), both after the checkpoint
    ///   is saved; ``TrainingDataError`` for data that cannot feed the model, `CheckpointError` and
    ///   file errors for unreadable or unwritable files.
    @discardableResult
    public func run(resume: Bool = false) throws -> [String: Float] {
        try run(resume: resume, checkpoint: nil, lock: processGroup.rank == 0 ? Self.lock(run, resume: resume) : nil)
    }

    /// The run folder's writer lock, once a resume is known to have a checkpoint to resume from
    /// (checked first, so that a mistaken `--resume` does not create the folder to lock it).
    static func lock(_ run: RunFolder, resume: Bool) throws -> RunLock {
        if resume, !FileManager.default.fileExists(atPath: run.lastCheckpoint.path) {
            throw TrainingError.nothingToResume(path: run.lastCheckpoint.path)
        }
        return try RunLock(run)
    }

    /// ``run(resume:)`` with the folder's lock already taken and the checkpoint to resume from
    /// already read under it (by `mirage train`, which needs its configuration to build the model),
    /// so that it is not read and parsed twice.
    func run(resume: Bool, checkpoint: Checkpoint?, lock: RunLock?) throws -> [String: Float] {
        defer { lock?.release() }
        let parallel = DataParallel(group: processGroup)
        // Rank 0 writes the run folder; the other processes only train.
        let leader = processGroup.rank == 0
        let started = Date()
        // Caught from the start, so that a signal while the data load stops the run cleanly too
        // (after its first step, saved) rather than killing it.
        let signals = [SIGINT, SIGTERM] + options.checkpointSignals
        StopSignals.install(signals)
        defer { StopSignals.uninstall(signals) }
        let need = model.data
        guard need.shape == data.train.shape else {
            throw TrainingDataError.wrongShape(dataset: data.name, has: data.train.shape, wanted: need.shape)
        }
        if need.needsLabels, data.description.classCount < 2 {
            throw TrainingDataError.unlabelled(dataset: data.name)
        }
        if let k = options.excludedClass, !(0..<data.description.classCount).contains(k) || data.description.classCount < 2 {
            throw TrainingDataError.noSuchClass(dataset: data.name, label: k, classCount: data.description.classCount)
        }
        guard options.batchSize >= need.minimumBatchSize else {
            throw TrainingDataError.batchTooSmall(kind: kind, batchSize: options.batchSize, minimum: need.minimumBatchSize)
        }
        guard options.batchSize % processGroup.size == 0 else {
            throw TrainingError.batchNotDivisible(batchSize: options.batchSize, processes: processGroup.size)
        }
        var step = 0
        if resume {
            let file = try checkpoint ?? Checkpoint.read(from: run.lastCheckpoint)
            let header = try TrainingCheckpoint.header(file, path: run.lastCheckpoint.path)
            guard header.kind == kind else {
                throw TrainingError.kindMismatch(run: run.root.path, stored: header.kind, requested: kind)
            }
            try TrainingCheckpoint.restore(model, from: file, path: run.lastCheckpoint.path)
            step = header.step
        } else if leader {
            try claimRunFolder()
        }
        try parallel.checkAgreement(agreementDescription(step: step))
        parallel.prepare(model, synchroniseBatchNorm: options.synchroniseBatchNorm)
        if parallel.isDistributed { updater.gradientHook = parallel.averageGradients() }
        let perStep = need.batchesPerStep
        let (main, streamB) = try streams(startingAt: step * perStep)
        let perEpoch = main.batchesPerEpoch / perStep
        guard perEpoch > 0 else {
            throw TrainingDataError.tooFew(dataset: data.name, count: main.batchesPerEpoch * options.batchSize,
                                           needed: perStep * options.batchSize)
        }
        var events: TensorBoardEventFile?
        if leader {
            try run.create()
            try writeConfig()
            // A new event file for each start or resume: TensorBoard reads every file in the folder.
            events = try TensorBoardEventFile(folder: run.root.path)
            if let config = try? String(contentsOf: run.config, encoding: .utf8) {
                try events?.text("config", "```json\n\(config)\n```", step: step)
            }
        }

        let total = options.steps ?? options.epochs * perEpoch
        let fixed = fixedInput()
        let pairChannels: (Int, Int)? = {
            if case let .pairs(p) = data.train { return (p.a.channels, p.b.channels) }
            return nil
        }()
        let progress = ProgressReporter(totalSteps: total, stepsPerEpoch: perEpoch, firstStep: step, quiet: !leader)
        var history = leader ? try readHistory() : [:]
        var last: [String: Float] = [:]
        var running: [String: Float] = [:]
        if let lock, let pid = lock.tookOverFrom { progress.message("took over \(lock.file.path) from process \(pid), which is no longer running") }
        if step > 0 { progress.message("resuming \(kind) at step \(step) of \(total) from \(run.lastCheckpoint.path)") }
        if parallel.isDistributed {
            progress.message("\(processGroup.size) processes, \(options.batchSize / processGroup.size) images of each global batch of \(options.batchSize) apiece\(options.synchroniseBatchNorm ? ", batch norm synchronised" : "")")
        }
        // What the time limit must leave room for, measured as the run goes: the slowest recent
        // step, a checkpoint (2 s until one is timed) and the sheets (once drawn).
        var recentSteps: [Double] = [], checkpointSeconds = 2.0, sheetSeconds = 0.0
        func saveCheckpoint() throws {
            // Every process checks that it holds rank 0's parameters, which rank 0 saves.
            try parallel.checkInStep(model, step: step)
            guard leader else { return }
            let t0 = Date()
            try TrainingCheckpoint.save(model, kind: kind, step: step, to: run.lastCheckpoint)
            checkpointSeconds = Date().timeIntervalSince(t0)
        }

        model.setTraining(true)
        let firstStep = step
        defer {
            // What averaging the gradients cost, for scaling estimates (BENCHMARKS.md).
            let steps = step - firstStep, traffic = parallel.traffic
            if parallel.isDistributed, steps > 0 {
                let seconds = Date().timeIntervalSince(started)
                progress.message(String(format: "all-reduce: %.2f MB of gradients per step in %d call%@, %.2f ms per step (%.1f%% of the run's time)",
                                        Double(traffic.bytes) / Double(steps) / 1e6, traffic.calls / steps, traffic.calls / steps == 1 ? "" : "s",
                                        traffic.seconds / Double(steps) * 1e3, 100 * traffic.seconds / seconds))
            }
        }
        while step < total {
            let stepStarted = Date()
            // Batches depend only on (seed, batch number), so a resumed run sees exactly the data
            // and augmentation an uninterrupted one would.
            // Each process takes its rows of every global batch.
            let input = StepInput(batches: (0..<perStep).map { _ in parallel.local(main.next()) },
                                  batchesB: streamB.map { s in (0..<perStep).map { _ in parallel.local(s.next()) } } ?? [],
                                  pairChannels: pairChannels)
            let context = StepContext(step: step, epoch: step / perEpoch, stepsPerEpoch: perEpoch, totalSteps: total, updater: updater,
                                      shard: parallel.shard)
            let (losses, stopRequested) = parallel.agree(on: model.trainStep(input, context: context), stop: StopSignals.requested)
            step += 1
            recentSteps = (recentSteps + [Date().timeIntervalSince(stepStarted)]).suffix(20)
            if let bad = losses.first(where: { !$0.value.isFinite }) {
                let saved = FileManager.default.fileExists(atPath: run.lastCheckpoint.path) ? run.lastCheckpoint.path : nil
                throw TrainingError.nonFinite(loss: bad.key, step: step, checkpoint: saved)
            }
            for (k, v) in losses { running[k] = running[k].map { 0.9 * $0 + 0.1 * v } ?? v }
            last = losses
            progress.update(step: step, losses: running.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
            if leader, step % options.logEvery == 0 || step == total {
                let rate = progress.rate(at: step)
                try appendMetrics(step: step, epoch: Double(step) / Double(perEpoch), losses: losses, rate: rate)
                for (k, v) in losses.sorted(by: { $0.key < $1.key }) { try events?.scalar(k, v, step: step) }
                try events?.scalar("steps_per_s", Float(rate), step: step)
                for (k, v) in losses { history[k, default: []].append((step, v)) }
            }
            let saved = step % options.checkpointEvery == 0 || step == total || stopRequested
            if saved { try saveCheckpoint() }
            if stopRequested {
                throw TrainingError.interrupted(step: step, checkpoint: run.lastCheckpoint.path,
                                                signal: StopSignals.requested ? StopSignals.received : SIGTERM)
            }
            if leader, let events, step % perEpoch == 0 || step == total {
                let t0 = Date()
                if options.drawsSheets { try writeSheets(epoch: (step - 1) / perEpoch + 1, step: step, fixed: fixed, events: events) }
                try PNG.write(LossCurve.render(history.sorted { $0.key < $1.key }), to: run.lossPlot.path)
                try RunReport.write(for: run)
                sheetSeconds = max(sheetSeconds, Date().timeIntervalSince(t0))
            }
            if let limit = options.timeLimit, step < total {
                // Room for the next step, its checkpoint and, if it ends an epoch, its sheets,
                // then the checkpoint of stopping.
                let next = step + 1
                let endsEpoch = next % perEpoch == 0 || next == total
                let needed = recentSteps.max()! + 2 * checkpointSeconds + (endsEpoch ? sheetSeconds : 0)
                if parallel.any(Date().addingTimeInterval(needed) > started.addingTimeInterval(limit)) {
                    if !saved { try saveCheckpoint() }
                    throw TrainingError.timeLimitReached(step: step, checkpoint: run.lastCheckpoint.path, limit: limit)
                }
            }
        }
        return last
    }

    /// Refuses a folder holding an earlier run, or with ``TrainingOptions/overwrite`` removes the
    /// files a run writes there (and nothing else).
    private func claimRunFolder() throws {
        guard run.holdsRun else { return }
        guard options.overwrite else {
            throw TrainingError.runExists(run: run.root.path, kind: run.storedKind)
        }
        try run.removeRun()
    }

    /// What every process of a data-parallel run must agree on: the training it is about to
    /// run (kind, configuration, options, data, step) and the build running it.
    private func agreementDescription(step: Int) -> String {
        // Sorted keys: a dictionary's order differs from process to process.
        func canonical(_ json: Data?) -> String {
            guard let json, let object = try? JSONSerialization.jsonObject(with: json),
                  let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return "" }
            return String(decoding: sorted, as: UTF8.self)
        }
        let build = Self.buildIdentity
        return [kind, "\(ModelRegistry.configurationVersion(ofKind: kind))", canonical(model.configuration),
                canonical(try? JSONEncoder().encode(options)), "\(options.synchroniseBatchNorm)", data.name, "\(step)",
                "\(build)"].joined(separator: "\u{1F}")
    }

    /// A hash of the running executable's bytes, so that processes running different builds of
    /// Mirage are told apart (read once, by a data-parallel run only).
    static let buildIdentity: UInt64 = {
        guard let data = FileManager.default.contents(atPath: "/proc/self/exe")
                ?? CommandLine.arguments.first.flatMap({ FileManager.default.contents(atPath: $0) }) else { return 0 }
        var hash = FNV1a()
        data.withUnsafeBytes { hash.combine($0) }
        return hash.value
    }()

    private func writeConfig() throws {
        var config: [String: Any] = [
            "kind": kind,
            "config_version": ModelRegistry.configurationVersion(ofKind: kind),
            "model": (try? JSONSerialization.jsonObject(with: model.configuration)) ?? [:],
            "training": (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(options))) ?? [:],
            "dataset": data.name,
        ]
        if let (a, b) = data.domains { config["domains"] = [a, b] }
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
        var history: [String: [(Int, Float)]] = [:]
        for (step, values) in run.metricsRecords() {
            for (k, v) in values where !["step", "epoch", "steps_per_s"].contains(k) { history[k, default: []].append((step, Float(v))) }
        }
        return history
    }

    private func writeSheets(epoch: Int, step: Int, fixed: StepInput, events: TensorBoardEventFile) throws {
        model.setTraining(false)
        defer { model.setTraining(true) }
        // The same noise every epoch: sheets show how the model changed, not a new draw.
        let sheets = model.sheets(fixed: fixed, noise: RandomGenerator(seed: options.seed &+ 12345))
        for (i, sheet) in sheets.enumerated() {
            let grid = try ImageGrid.save(sheet.images, to: run.sheet(epoch: epoch, name: sheet.name, main: i == 0).path, nrow: sheet.columns)
            try events.image(sheet.name, png: PNG.encode(grid), width: grid.width, height: grid.height, channels: grid.channels, step: step)
        }
    }
}
