import Foundation
import MirageModels
import Testing

/// The run folder's writer lock: one holder at a time, in this process as in another; the
/// holder's id for the refusal; a killed holder's file taken over; a released lock free again.
@Suite struct RunLockTests {
    @Test func oneWriterAtATime() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-lock-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = RunFolder(path)
        let first = try RunLock(run)
        #expect(first.tookOverFrom == nil)
        #expect(try String(contentsOf: run.lockFile, encoding: .utf8) == "\(getpid())\n")
        #expect { try RunLock(run) } throws: { ($0 as? TrainingError) == .runLocked(run: run.root.path, pid: getpid()) }
        // A trainer on the folder is refused before it touches anything.
        var options = TrainingOptions()
        options.steps = 1
        let trainer = Trainer(model: try ModelRegistry.make(kind: "vae"), kind: "vae", data: MNISTSubset.data, run: run, options: options)
        #expect(throws: TrainingError.runLocked(run: run.root.path, pid: getpid())) { try trainer.run() }
        #expect(!FileManager.default.fileExists(atPath: run.config.path))
        first.release()
        #expect(try String(contentsOf: run.lockFile, encoding: .utf8).isEmpty)
        // A file naming a process that is gone (the kernel released its lock when it died).
        try "4194000\n".write(to: run.lockFile, atomically: false, encoding: .utf8)
        let second = try RunLock(run)
        #expect(second.tookOverFrom == 4_194_000)
        second.release()
    }
}
