import Foundation

/// The signals that stop a training run cleanly: Ctrl-C's SIGINT, SIGTERM (what `docker stop`,
/// systemd, Kubernetes, `timeout` and batch schedulers send before they kill), and any given
/// with `--checkpoint-on` (a scheduler's warning, such as SLURM's `--signal=USR1@120`). The first
/// one asks the loop to finish its step, save a checkpoint and stop; a second one exits at once.
public enum StopSignals {
    nonisolated(unsafe) private static var count: sig_atomic_t = 0
    nonisolated(unsafe) private static var last: sig_atomic_t = 0

    /// The signals `--checkpoint-on` takes, by name without `SIG`.
    public static let names: [String: Int32] = [
        "INT": SIGINT, "TERM": SIGTERM, "HUP": SIGHUP, "QUIT": SIGQUIT, "USR1": SIGUSR1, "USR2": SIGUSR2,
        "ALRM": SIGALRM, "XCPU": SIGXCPU,
    ]

    /// The signal a name stands for: `SIGUSR1`, `USR1` (any case) or its number.
    public static func signal(named text: String) -> Int32? {
        if let n = Int32(text), names.values.contains(n) { return n }
        var name = text.uppercased()
        if name.hasPrefix("SIG") { name.removeFirst(3) }
        return names[name]
    }

    /// Whether a stop signal arrived since ``install(_:)``.
    static var requested: Bool { count > 0 }
    /// The first stop signal's number (0 before one arrives).
    static var received: Int32 { last }

    /// Catches `signals` until ``uninstall(_:)``.
    static func install(_ signals: [Int32]) {
        count = 0
        last = 0
        // A process started from a thread that blocks signals (a Dispatch worker, a test runner)
        // inherits the block, and a blocked signal would never reach the handler.
        var set = sigset_t()
        sigemptyset(&set)
        for s in signals { sigaddset(&set, s) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
        for s in signals {
            Foundation.signal(s) { received in
                if StopSignals.count == 0 { StopSignals.last = received }
                StopSignals.count += 1
                if StopSignals.count > 1 { _exit(128 + received) }
            }
        }
    }

    static func uninstall(_ signals: [Int32]) {
        for s in signals { Foundation.signal(s, SIG_DFL) }
    }
}
