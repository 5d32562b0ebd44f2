import Foundation

/// Ctrl-C during training: the first one asks the loop to save a checkpoint and stop after the
/// current step; a second one exits at once.
enum InterruptSignal {
    nonisolated(unsafe) private static var count: sig_atomic_t = 0

    /// Whether Ctrl-C was pressed since ``install()``.
    static var requested: Bool { count > 0 }

    static func install() {
        count = 0
        // A process started from a thread that blocks signals (a Dispatch worker, a test runner)
        // inherits the block, and a blocked Ctrl-C would never reach the handler.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &interrupt, nil)
        signal(SIGINT) { _ in
            InterruptSignal.count += 1
            if InterruptSignal.count > 1 { _exit(130) }
        }
    }

    static func uninstall() { signal(SIGINT, SIG_DFL) }
}
