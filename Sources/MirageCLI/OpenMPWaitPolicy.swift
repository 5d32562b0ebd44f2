import Foundation

/// oneDNN runs on libgomp's OpenMP threads, which by default spin for a long while after each
/// parallel region before sleeping. Between regions Mirage's own element-wise code runs on the
/// main thread; when anything else wants a core (a data-loading thread, another process), the
/// spinning thread takes it and the next region waits for a descheduled thread: a training step
/// measured 3-5× slower with two threads than with one on a busy 2-core machine.
///
/// libgomp reads its settings when it is loaded, before `main` runs, so the only way for a
/// program to choose them is to set them and start itself again. That is done once, only when
/// the user has set neither `OMP_WAIT_POLICY` nor `GOMP_SPINCOUNT` (theirs always win).
enum OpenMPWaitPolicy {
    /// Spin iterations before a waiting thread sleeps: tens of microseconds, enough to bridge
    /// the gap between two kernels of one step, far less than a scheduler time slice.
    static let spinCount = "20000"

    /// Set beside `GOMP_SPINCOUNT` when Mirage chose it, so that child processes that are not
    /// Mirage (the PyTorch peer of `mirage bench`) can be given the user's environment back.
    static let injectedMarker = "MIRAGE_SET_GOMP_SPINCOUNT"

    /// The environment as the user gave it, without the settings Mirage added for itself.
    static var userEnvironment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if env.removeValue(forKey: injectedMarker) != nil { env["GOMP_SPINCOUNT"] = nil }
        return env
    }

    static func applyBeforeStart() {
        let env = ProcessInfo.processInfo.environment
        guard env["OMP_WAIT_POLICY"] == nil, env["GOMP_SPINCOUNT"] == nil else { return }
        setenv("GOMP_SPINCOUNT", spinCount, 1)
        setenv(injectedMarker, "1", 1)
        let args = CommandLine.unsafeArgv
        execv("/proc/self/exe", args)
        // execv returns only on failure (no /proc, say): carry on with libgomp's defaults.
    }
}
