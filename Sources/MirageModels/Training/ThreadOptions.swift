import ArgumentParser
import MirageTensor

/// `--threads N` for the commands that compute on a trained run (`mirage sample`, `translate`,
/// `eval …`); `mirage train` takes it among its ``RunOptions``. Both default to
/// `OMP_NUM_THREADS`, else every core.
public struct ThreadOptions: ParsableArguments {
    @Option(help: "Threads for the kernels (default: OMP_NUM_THREADS, else every core).")
    public var threads: Int?

    public init() {}

    public func validate() throws { try Self.validate(threads) }

    /// Sets the kernels' thread count when `--threads` was given.
    public func apply() {
        if let threads { Kernels.setThreadCount(threads) }
    }

    /// A thread count lies in 1...1024.
    static func validate(_ threads: Int?) throws {
        if let threads { guard (1...1024).contains(threads) else { throw ValidationError("--threads must lie in 1...1024, got \(threads)") } }
    }
}
