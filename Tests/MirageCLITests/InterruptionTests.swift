import Foundation
import MirageData
import Testing

/// Ctrl-C and SIGKILL: what was checkpointed is never lost, and a resumed run ends where an
/// uninterrupted one does.
@Suite struct InterruptionTests {
    /// Ctrl-C saves a checkpoint, says where, and exits with 130 so that scripts can tell.
    @Test func interruptSavesAndExitsWith130() throws {
        let dir = CLI.temporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["train", "gan", "--steps", "1000000", "--batch-size", "16", "--subset", "64", "--log-every", "1", "--out", run]
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        let metrics = run + "/metrics.jsonl", deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: metrics) && Date() < deadline { usleep(50_000) }
        kill(process.processIdentifier, SIGINT)
        let stop = Date().addingTimeInterval(60)
        while process.isRunning && Date() < stop { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("mirage train kept running a minute after Ctrl-C")
        }
        process.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 130, "\(stderr)")
        #expect(stderr.contains("interrupted at step ") && stderr.contains("checkpoint saved to \(run)/checkpoints/last.safetensors"), "\(stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/last.safetensors"))
    }

    /// Crash safety end to end: a run killed with SIGKILL at seeded random moments (with a
    /// checkpoint every step, many kills land in a checkpoint write) and resumed each time ends
    /// with the same checkpoint, byte for byte, as a run never interrupted; every checkpoint left
    /// behind by a kill is whole.
    @Test func killedAndResumedRunsEndWithTheSameWeights() throws {
        let dir = CLI.temporaryDirectory("sigkill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["train", "dcgan", "--steps", "30", "--batch-size", "16", "--subset", "256", "--checkpoint-every", "1",
                      "--log-every", "5"]
        let reference = dir.appendingPathComponent("reference").path, victim = dir.appendingPathComponent("victim").path
        #expect(try CLI.run(common + ["--out", reference]).status == 0)
        let checkpoint = URL(fileURLWithPath: victim + "/checkpoints/last.safetensors")
        var seed: UInt64 = 0x9E3779B97F4A7C15
        var kills = 0, finished = false
        // Twelve attempts may be killed, the thirteenth runs to the end: on a loaded machine a
        // process can take longer to start than any kill delay, and the test must still end.
        for attempt in 0..<13 where !finished {
            let process = Process()
            process.executableURL = CLI.binary
            let resume = FileManager.default.fileExists(atPath: checkpoint.path)
            process.arguments = common + ["--out", victim, resume ? "--resume" : "--overwrite"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            let delay = 0.3 + Double(seed >> 40) / Double(1 << 24) * 1.2   // 0.3 to 1.5 s
            let deadline = Date().addingTimeInterval(delay)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning && attempt < 12 {
                kill(process.processIdentifier, SIGKILL)
                kills += 1
            }
            process.waitUntilExit()
            finished = process.terminationReason == .exit && process.terminationStatus == 0
            if FileManager.default.fileExists(atPath: checkpoint.path) {
                #expect(CLI.isCompleteSafetensors(checkpoint), "a kill left a half-written checkpoint")
            }
        }
        #expect(finished, "the run did not finish when left alone")
        #expect(kills >= 2, "only \(kills) kills landed: the test did not test anything")
        let a = try Data(contentsOf: URL(fileURLWithPath: reference + "/checkpoints/last.safetensors")), b = try Data(contentsOf: checkpoint)
        #expect(a == b, "the resumed run's final checkpoint differs from the uninterrupted run's (after \(kills) kills)")
    }

}
