/// Why a run stopped early or did not start.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A loss became NaN or infinite; nothing of that step was saved.
    case nonFinite(loss: String, step: Int, checkpoint: String?)
    /// `--resume` into a folder holding another model's run.
    case kindMismatch(run: String, stored: String, requested: String)
    /// `--resume` with no checkpoint to resume from.
    case nothingToResume(path: String)
    /// A fresh run into a folder that holds a run already.
    case runExists(run: String, kind: String?)
    /// `--resume` with options that would make it another run (a new seed, batch size or model option).
    case resumeConflict(run: String, conflicts: [String])
    /// A stop signal (Ctrl-C's SIGINT, SIGTERM, or a `--checkpoint-on` signal): the step was
    /// finished and saved.
    case interrupted(step: Int, checkpoint: String, signal: Int32)
    /// `--time-limit` would have been passed by another step: the run was saved and stopped.
    case timeLimitReached(step: Int, checkpoint: String, limit: Double)
    /// Another process is training into the run folder.
    case runLocked(run: String, pid: Int32?)
    /// Data-parallel processes that would not train the same run (another kind, configuration,
    /// option, dataset, checkpoint or build than rank 0's).
    case processesDisagree(ranks: [Int], processes: Int)
    /// Data-parallel processes whose parameters differ from rank 0's (a bug: they must not).
    case processesDiverged(ranks: [Int], step: Int)
    /// A global batch that the processes cannot share equally.
    case batchNotDivisible(batchSize: Int, processes: Int)

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
        case .runExists(let run, let kind):
            "\(run) already holds \(kind.map { "a \($0) run" } ?? "a run"); continue it with --resume, replace it with --overwrite, or pick another --out"
        case .resumeConflict(let run, let conflicts):
            "--resume continues the run in \(run) as it was configured, but "
                + conflicts.joined(separator: "; ")
                + ". Drop these options to continue it, or start a new run with another --out"
        case .interrupted(let step, let checkpoint, let signal):
            "stopped by \(signalName(signal)) at step \(step), checkpoint saved to \(checkpoint); continue with --resume"
        case .timeLimitReached(let step, let checkpoint, let limit):
            "stopped at step \(step) to stay within --time-limit \(formatDuration(limit)), checkpoint saved to \(checkpoint); continue with --resume"
        case .runLocked(let run, let pid):
            "\(run) is being trained by another process\(pid.map { " (process \($0))" } ?? ""); wait for it to finish or stop it, or pick another --out"
        case .processesDisagree(let ranks, let processes):
            "rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) of \(processes) would train another run than rank 0 (a different model, option, seed, dataset, checkpoint or mirage build); start every process with the same command and binary"
        case .processesDiverged(let ranks, let step):
            "at step \(step) the parameters of rank\(ranks.count == 1 ? "" : "s") \(ranks.map(String.init).joined(separator: ", ")) differ from rank 0's, which data-parallel training must never let happen; please report it with the command"
        case .batchNotDivisible(let batchSize, let processes):
            "--batch-size \(batchSize) is the global batch and \(processes) processes cannot share it equally; use a multiple of \(processes)"
        }
    }
}

/// The name of a signal number: `SIGTERM` for 15, `signal 42` for one without a name here.
public func signalName(_ signal: Int32) -> String {
    StopSignals.names.first { $0.value == signal }.map { "SIG\($0.key)" } ?? "signal \(signal)"
}

/// A duration in seconds as the shortest of `45s`, `90m`, `3h`, `1h30m`, `2d`.
public func formatDuration(_ seconds: Double) -> String {
    var rest = Int(seconds.rounded())
    guard rest > 0 else { return "0s" }
    var parts: [String] = []
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] where rest >= size {
        parts.append("\(rest / size)\(unit)")
        rest %= size
    }
    return parts.joined()
}
