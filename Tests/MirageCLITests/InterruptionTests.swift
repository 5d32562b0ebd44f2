import Foundation
import MirageData
import Testing

/// Stop signals, time limits, SIGKILL and a second writer: what was checkpointed is never lost,
/// and a resumed run ends where an uninterrupted one does.
@Suite struct InterruptionTests {
    /// Starts `mirage train gan` on a small subset into `run`, logging every step, and waits until
    /// it has logged one.
    static func startTraining(_ run: String, extra: [String] = [], stderr: Pipe) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = ["train", "gan", "--steps", "1000000", "--batch-size", "16", "--subset", "64", "--log-every", "1",
                             "--checkpoint-every", "5", "--out", run] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = stderr
        try process.run()
        let metrics = run + "/metrics.jsonl", deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: metrics) && Date() < deadline { usleep(50_000) }
        return process
    }

    /// Waits up to a minute for `process` to end, killing it (and recording why) if it does not.
    static func waitForExit(_ process: Process, after what: String) {
        let stop = Date().addingTimeInterval(60)
        while process.isRunning && Date() < stop { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            Issue.record("mirage train kept running a minute after \(what)")
        }
        process.waitUntilExit()
    }

    /// The step a checkpoint was saved at, from its metadata.
    static func checkpointStep(_ path: String) throws -> Int {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let n = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + n))) as! [String: Any]
        return Int((header["__metadata__"] as! [String: String])["mirage.step"]!)!
    }

    /// Ctrl-C, SIGTERM (what docker stop, systemd, Kubernetes and batch schedulers send) and a
    /// signal named by --checkpoint-on each finish the step, save a checkpoint of it, say where,
    /// and exit with 128 + the signal's number, so that scripts can tell a stopped run from a
    /// finished one.
    @Test(arguments: [(SIGINT, "SIGINT", [String]()), (SIGTERM, "SIGTERM", []), (SIGUSR1, "SIGUSR1", ["--checkpoint-on", "SIGUSR1"])])
    func aStopSignalSavesAndExitsWith128PlusItsNumber(_ signal: Int32, _ name: String, _ extra: [String]) throws {
        let dir = CLI.temporaryDirectory("stop-\(name)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let err = Pipe()
        let process = try Self.startTraining(run, extra: extra, stderr: err)
        kill(process.processIdentifier, signal)
        Self.waitForExit(process, after: name)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 128 + signal, "\(stderr)")
        let checkpoint = run + "/checkpoints/last.safetensors"
        let step = try Self.checkpointStep(checkpoint)
        // The message names the signal and the step the checkpoint holds, which is past the one logged.
        #expect(step >= 1 && stderr.contains("stopped by \(name) at step \(step), checkpoint saved to \(checkpoint)"), "\(stderr)")
    }

    /// --time-limit stops before the limit with a checkpoint of the last step and exit status 75
    /// (EX_TEMPFAIL: not finished, continue with --resume); --resume then goes on from that step.
    @Test func aTimeLimitSavesAndStopsInTime() throws {
        let dir = CLI.temporaryDirectory("time-limit")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let started = Date()
        let limited = try CLI.run(["train", "gan", "--steps", "1000000", "--batch-size", "16", "--subset", "64", "--time-limit", "6s",
                                   "--checkpoint-every", "1000", "--out", run])
        let seconds = Date().timeIntervalSince(started)
        #expect(limited.status == 75, "\(limited.stderr)")
        let step = try Self.checkpointStep(run + "/checkpoints/last.safetensors")
        #expect(step > 1 && limited.stderr.contains("stopped at step \(step) to stay within --time-limit 6s"), "\(limited.stderr)")
        // The process, start-up and data included, ended within the limit plus a little.
        #expect(seconds < 9, "took \(seconds) s")
        let resumed = try CLI.run(["train", "gan", "--resume", "--steps", String(step + 3), "--out", run])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.checkpointStep(run + "/checkpoints/last.safetensors") == step + 3)
    }

    /// `--resume` without `--steps` or `--epochs` goes on to the length the run was started
    /// with (what "continue with --resume" after a time limit means), not to the default 5
    /// epochs (20 steps here); a length given with it extends the run.
    @Test func aResumeKeepsTheRunsLength() throws {
        let dir = CLI.temporaryDirectory("resume-length")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let first = try CLI.run(["train", "gan", "--steps", "5", "--batch-size", "16", "--subset", "64", "--out", run])
        #expect(first.status == 0, "\(first.stderr)")
        let resumed = try CLI.run(["train", "gan", "--resume", "--out", run])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(try Self.checkpointStep(run + "/checkpoints/last.safetensors") == 5)
        let longer = try CLI.run(["train", "gan", "--resume", "--epochs", "2", "--out", run])
        #expect(longer.status == 0, "\(longer.stderr)")
        #expect(try Self.checkpointStep(run + "/checkpoints/last.safetensors") == 8)
    }

    /// One writer per run folder: while a run trains, a second `mirage train` into its folder
    /// (resuming it or replacing it) is refused with the first one's process id, and readers
    /// (`mirage sample`) still work; once it is gone, even killed, the next writer takes over.
    @Test func aSecondWriterIsRefusedWhileReadersWork() throws {
        let dir = CLI.temporaryDirectory("two-writers")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let err = Pipe()
        let first = try Self.startTraining(run, stderr: err)
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        let checkpoint = run + "/checkpoints/last.safetensors", deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(50_000) }
        let pid = first.processIdentifier
        for extra in [["--resume"], ["--overwrite"]] {
            let second = try CLI.run(["train", "gan", "--steps", "3", "--batch-size", "16", "--subset", "64", "--out", run] + extra)
            #expect(second.status != 0 && second.stderr.contains("\(run) is being trained by another process (process \(pid))"), "\(extra): \(second.stderr)")
        }
        let sampled = try CLI.run(["sample", run, "--count", "4", "--out", dir.appendingPathComponent("s.npy").path])
        #expect(sampled.status == 0, "\(sampled.stderr)")
        kill(pid, SIGKILL)
        first.waitUntilExit()
        let next = try CLI.run(["train", "gan", "--resume", "--steps", "1000000", "--batch-size", "16", "--subset", "64", "--time-limit", "2s",
                                "--out", run])
        #expect(next.status == 75 && next.stdout.contains("took over \(run)/.lock from process \(pid), which is no longer running"), "\(next.stdout)")
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
        var kills = 0, finished = false, resumedWithProgress = 0
        // Twelve attempts may be killed, the thirteenth runs to the end: on a loaded machine a
        // process can take longer to start than any kill delay, and the test must still end.
        for attempt in 0..<13 where !finished {
            let process = Process()
            process.executableURL = CLI.binary
            let resume = FileManager.default.fileExists(atPath: checkpoint.path)
            let stepBefore = resume ? try Self.checkpointStep(checkpoint.path) : 0
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
                // A resume that went on from a saved step and saved later ones.
                if resume, stepBefore > 0, CLI.isCompleteSafetensors(checkpoint), try Self.checkpointStep(checkpoint.path) > stepBefore {
                    resumedWithProgress += 1
                }
            }
        }
        #expect(finished, "the run did not finish when left alone")
        #expect(kills >= 2, "only \(kills) kills landed: the test did not test anything")
        #expect(resumedWithProgress >= 2, "only \(resumedWithProgress) attempts resumed from a checkpoint and went on: the resume path was not tested")
        let a = try Data(contentsOf: URL(fileURLWithPath: reference + "/checkpoints/last.safetensors")), b = try Data(contentsOf: checkpoint)
        #expect(a == b, "the resumed run's final checkpoint differs from the uninterrupted run's (after \(kills) kills)")
    }

}
