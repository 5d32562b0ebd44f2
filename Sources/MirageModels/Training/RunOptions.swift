import ArgumentParser
import Foundation

/// The options every `mirage train <model>` takes: length, batches, seed, run folder, resume,
/// cadence, data and threads. A model's own options come from its ``ModelKind/Options``.
public struct RunOptions: ParsableArguments {
    @Option(help: "Passes over the training set (ignored with --steps).")
    public var epochs: Int = 5

    @Option(help: "Stop after this many steps instead of whole epochs.")
    public var steps: Int?

    @Option(help: "Images (or points) per batch.")
    public var batchSize: Int = 64

    @Option(help: "Seed of the initial weights, data order, noise and sheets.")
    public var seed: UInt64 = 0

    @Option(help: "Run folder (default: runs/<model>).")
    public var out: String?

    @Flag(help: "Continue the run in --out from its last checkpoint (with its own seed, batch size, data and model options, and its length unless --steps or --epochs is given).")
    public var resume = false

    @Flag(help: "Replace the run already in --out (without it, a new run refuses an occupied folder).")
    public var overwrite = false

    @Option(help: "Save a checkpoint every this many steps (and always at the end and on Ctrl-C).")
    public var checkpointEvery: Int = 1000

    @Option(help: "Append to metrics.jsonl every this many steps.")
    public var logEvery: Int = 50

    @Option(help: ArgumentHelp("The data: a dataset name (mnist, fashion-mnist, kmnist, emnist, cifar10, mnist-edges, mnist-inverted, mnist-thick, mnist-colored, ring8, grid25, swissroll, moons, circles) or a folder of PNGs. Default: mnist, or with --resume the run's own.",
                               valueName: "name|path"))
    public var dataset: String?

    @Option(help: ArgumentHelp("Domain A of a model trained on two unpaired domains (cyclegan): a dataset name or a folder of PNGs, shuffled apart from --domain-b.",
                               valueName: "name|path"))
    public var domainA: String?

    @Option(help: ArgumentHelp("Domain B of a model trained on two unpaired domains (cyclegan), e.g. mnist-colored (its coloured digits).",
                               valueName: "name|path"))
    public var domainB: String?

    @Option(help: "Folder holding the dataset's files, or holding <dataset>/ (default: $MIRAGE_DATA, else Data/<dataset> found upward from here or from the executable).")
    public var dataDir: String?

    @Option(help: "Train on only the first N training images.")
    public var subset: Int?

    @Option(name: .customLong("exclude-class"),
            help: ArgumentHelp("Train without the training images of class K (the anomaly for mirage eval anomaly).", valueName: "K"))
    public var excludedClass: Int?

    @Option(help: "Threads for the kernels (default: OMP_NUM_THREADS, else every core).")
    public var threads: Int?

    @Option(help: ArgumentHelp("Save and stop cleanly before this much time has passed (exit status 75; continue with --resume), e.g. 45m, 3h50m, 1d, or seconds.",
                               valueName: "duration"))
    public var timeLimit: String?

    @Option(help: ArgumentHelp("Also save and stop cleanly on this signal (SIGINT and SIGTERM always do), e.g. SIGUSR1 for SLURM's --signal=USR1@120; repeatable.",
                               valueName: "signal"))
    public var checkpointOn: [String] = []

    @Flag(name: .customLong("sync-batchnorm"),
          help: "Under mpirun: batch norm's statistics over the global batch, so that the forward pass equals one process's (default: each process's own share, as PyTorch's DDP).")
    public var syncBatchNorm = false

    @Flag(name: .customLong("no-sheets"),
          help: "Draw no sample sheets (the loss curve and index.html are still written): pixelcnn's and ddpm's sheets run the whole sampler on 64 images, seconds on an idle machine, minutes on a busy one.")
    public var noSheets = false

    public init() {}

    public func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
        guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        if let steps { guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") } }
        guard checkpointEvery > 0, logEvery > 0 else { throw ValidationError("--checkpoint-every and --log-every must be positive") }
        if let subset { guard subset >= batchSize else { throw ValidationError("--subset must hold at least one batch (\(batchSize) images)") } }
        if let excludedClass { guard excludedClass >= 0 else { throw ValidationError("--exclude-class must be a class number ≥ 0, got \(excludedClass)") } }
        try ThreadOptions.validate(threads)
        guard (domainA == nil) == (domainB == nil) else { throw ValidationError("--domain-a and --domain-b go together: give both") }
        guard dataset == nil || domainA == nil else {
            throw ValidationError("--dataset names one dataset (a paired one splits into its two domains); --domain-a and --domain-b name the two domains apart: pass one or the other")
        }
        guard !(resume && overwrite) else { throw ValidationError("--resume continues a run and --overwrite replaces it; pass one of them") }
        if let timeLimit, parseDuration(timeLimit) == nil {
            throw ValidationError("--time-limit \(timeLimit) is not a duration: write e.g. 90s, 45m, 3h50m, 1d, or a number of seconds")
        }
        for name in checkpointOn where StopSignals.signal(named: name) == nil {
            throw ValidationError("--checkpoint-on \(name) is not a signal it takes: \(StopSignals.names.keys.sorted().map { "SIG\($0)" }.joined(separator: ", "))")
        }
    }

    /// The loop's options these describe.
    public var trainingOptions: TrainingOptions {
        var o = TrainingOptions()
        o.epochs = epochs
        o.steps = steps
        o.batchSize = batchSize
        o.seed = seed
        o.checkpointEvery = checkpointEvery
        o.logEvery = logEvery
        o.trainingSubset = subset
        o.excludedClass = excludedClass
        o.overwrite = overwrite
        o.timeLimit = timeLimit.flatMap(parseDuration)
        o.checkpointSignals = checkpointOn.compactMap(StopSignals.signal(named:))
        o.synchroniseBatchNorm = syncBatchNorm
        o.drawsSheets = !noSheets
        return o
    }
}

/// Seconds in a duration written as `90`, `90s`, `45m`, `3h50m`, `1d12h` or `1.5h`; `nil` for
/// anything else, or a duration that is not positive.
public func parseDuration(_ text: String) -> Double? {
    if let seconds = Double(text) { return seconds > 0 && seconds.isFinite ? seconds : nil }
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3_600, "d": 86_400]
    var total = 0.0, number = ""
    for c in text.lowercased() {
        if c.isNumber || c == "." {
            number.append(c)
        } else if let unit = units[c], let value = Double(number) {
            total += value * unit
            number = ""
        } else {
            return nil
        }
    }
    guard number.isEmpty, total > 0, total.isFinite else { return nil }
    return total
}
