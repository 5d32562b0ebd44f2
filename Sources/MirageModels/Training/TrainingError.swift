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
    /// Ctrl-C: the step was finished and saved.
    case interrupted(step: Int, checkpoint: String)

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
        case .interrupted(let step, let checkpoint):
            "interrupted at step \(step), checkpoint saved to \(checkpoint); continue with --resume"
        }
    }
}
