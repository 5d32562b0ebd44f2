import Foundation

/// The run folder's writer lock: an advisory lock (`flock`) on `RUN/.lock`, held by the one
/// process that trains into the folder for as long as it runs, so that a second `mirage train`
/// on the same folder (a second `--resume`, an `--overwrite`) is refused instead of interleaving
/// its metrics and checkpoints with the first one's. The file holds the holder's process id, for
/// the message.
///
/// The kernel releases the lock when its holder exits, however it exits, so a lock left by a
/// killed run is simply taken over (and said so). Readers (`mirage sample`, `eval`, `report`)
/// never take it.
///
/// ```swift
/// let lock = try RunLock(RunFolder("runs/dcgan"))   // throws TrainingError.runLocked if held
/// defer { lock.release() }
/// ```
public final class RunLock {
    /// The lock file.
    public let file: URL
    /// The process id the file named when the lock was taken over from a process that is no
    /// longer running, or `nil`.
    public let tookOverFrom: Int32?
    private var descriptor: Int32

    /// Takes the folder's lock, creating the folder if needed.
    ///
    /// - Throws: ``TrainingError/runLocked(run:pid:)`` when another process holds it; a file
    ///   error when the folder or the lock file cannot be created.
    public init(_ run: RunFolder) throws {
        try FileManager.default.createDirectory(at: run.root, withIntermediateDirectories: true)
        file = run.lockFile
        descriptor = open(file.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: file.path,
                                                                 NSLocalizedDescriptionKey: "cannot open \(file.path): \(String(cString: strerror(errno)))"])
        }
        let previous = Self.readPID(descriptor)
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw TrainingError.runLocked(run: run.root.path, pid: previous)
        }
        tookOverFrom = previous.flatMap { $0 != getpid() ? $0 : nil }
        // This process's id, for the message another writer would get.
        let text = "\(getpid())\n"
        _ = ftruncate(descriptor, 0)
        _ = text.withCString { pwrite(descriptor, $0, strlen($0), 0) }
    }

    /// The process id a lock file names, if it names one.
    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [CChar](repeating: 0, count: 32)
        let n = pread(fd, &buffer, 31, 0)
        guard n > 0 else { return nil }
        return Int32(String(cString: buffer).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Releases the lock; the file stays, emptied, so that the next writer does not mistake this
    /// finished run for a killed one.
    public func release() {
        guard descriptor >= 0 else { return }
        _ = ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }
}

extension RunFolder {
    /// `.lock`: the writer lock of a training run (``RunLock``).
    public var lockFile: URL { root.appendingPathComponent(".lock") }
}
