import Foundation
import MirageNN
import MirageTensor
import Testing

/// `mpirun -np 2 mirage train …`: two processes train one run that equals the single-process run
/// at the same global batch, rank 0 alone writes it, and it resumes with any number of processes.
/// Every run here takes one kernel thread per process.
@Suite(.serialized) struct DistributedTrainingTests {
    /// `mpirun` with `processes` copies of `mirage` and `arguments`, as root if need be, several
    /// processes on these two cores.
    static func mpirun(_ processes: Int, _ arguments: [String]) throws -> CLI.Result {
        try CLI.run(arguments, launcher: ["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "\(processes)"])
    }

    /// The largest difference between the float tensors of two checkpoints, relative to the
    /// largest magnitude in each tensor, and the tensor where it is; the metadata (step, noise
    /// generators' states, configuration) must be identical.
    static func difference(_ a: String, _ b: String, skipping skipped: (String) -> Bool = { _ in false }) throws -> (Double, String) {
        let x = try Checkpoint.read(from: URL(fileURLWithPath: a)), y = try Checkpoint.read(from: URL(fileURLWithPath: b))
        #expect(Set(x.tensors.keys) == Set(y.tensors.keys))
        #expect(x.metadata == y.metadata, "the checkpoints' metadata differ")
        var worst = (0.0, "")
        for (name, t) in x.tensors where !skipped(name) {
            guard let u = y.tensors[name], u.shape == t.shape else { Issue.record("\(name) differs in shape"); continue }
            let scale = Double(t.abs().max().item)
            let d = Double((t - u).abs().max().item) / Swift.max(scale, 1e-12)
            if d > worst.0 { worst = (d, name) }
        }
        return worst
    }

    /// The VAE's 200 steps in two processes end with the one-process weights and optimizer state
    /// within 1e-4 of each tensor's scale (measured 1.1e-5: only the order of the gradient sums
    /// differs), the same generator states, and one metrics file, written once.
    @Test func twoProcessesTrainTheOneProcessVAE() throws {
        let dir = CLI.temporaryDirectory("dp-vae")
        let common = ["train", "vae", "--steps", "200", "--threads", "1", "--log-every", "50"]
        let one = try CLI.run(common + ["--out", dir.path + "/one"])
        let two = try Self.mpirun(2, common + ["--out", dir.path + "/two"])
        #expect(one.status == 0 && two.status == 0, "\(one.stderr)\(two.stderr)")
        #expect(two.stdout.contains("2 processes, 32 images of each global batch of 64 apiece"), "\(two.stdout)")
        #expect(two.stdout.components(separatedBy: "training vae").count == 2, "rank 1 printed too: \(two.stdout)")
        let (worst, name) = try Self.difference(dir.path + "/one/checkpoints/last.safetensors", dir.path + "/two/checkpoints/last.safetensors")
        #expect(worst < 1e-4, "\(name) differs by \(worst) of its scale")
        let lines = try String(contentsOfFile: dir.path + "/two/metrics.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 4, "metrics.jsonl has \(lines.count) lines for 4 logged steps")
    }

    /// A run started in two processes and resumed in one ends where the one-process run does.
    @Test func aTwoProcessRunResumesInOne() throws {
        let dir = CLI.temporaryDirectory("dp-resume")
        let common = ["train", "vae", "--threads", "1", "--log-every", "50"]
        let one = try CLI.run(common + ["--steps", "100", "--out", dir.path + "/one"])
        let first = try Self.mpirun(2, common + ["--steps", "50", "--out", dir.path + "/two"])
        // The whole run is 100 steps; the first leg stopped at 50 as if interrupted.
        let second = try CLI.run(common + ["--steps", "100", "--out", dir.path + "/two", "--resume"])
        #expect(one.status == 0 && first.status == 0 && second.status == 0, "\(first.stderr)\(second.stderr)")
        let (worst, name) = try Self.difference(dir.path + "/one/checkpoints/last.safetensors", dir.path + "/two/checkpoints/last.safetensors")
        #expect(worst < 1e-4, "\(name) differs by \(worst) of its scale")
    }

    /// DCGAN's batch norm, synchronised, makes two processes' 20 steps as close to one process's
    /// as one process on two threads is to one on one thread (measured 1.1e-2 and 1.1e-2 in the
    /// relative norm of the furthest tensor, a batch-norm shift: Adam turns gradients that differ
    /// in their last bits, near zero, into steps of full size, and the adversarial game spreads
    /// them), while per-process statistics, a different forward pass, land ten times further
    /// (0.10). The biases in front of batch norm are left out: their gradient is zero but for
    /// rounding, so Adam moves them by noise in every run.
    @Test func synchronisedBatchNormTrainsTheOneProcessDCGAN() throws {
        let dir = CLI.temporaryDirectory("dp-dcgan")
        let common = ["train", "dcgan", "--steps", "20", "--log-every", "10"]
        let runs = [(["--threads", "1"], false, "one"), (["--threads", "2"], false, "threads"),
                    (["--threads", "1", "--sync-batchnorm"], true, "synchronised"), (["--threads", "1"], true, "per-process")]
        for (extra, parallel, name) in runs {
            let arguments = common + extra + ["--out", dir.path + "/" + name]
            let result = parallel ? try Self.mpirun(2, arguments) : try CLI.run(arguments)
            #expect(result.status == 0, "\(name): \(result.stderr)")
        }
        func distance(_ name: String) throws -> Double {
            let x = try Checkpoint.read(from: URL(fileURLWithPath: dir.path + "/one/checkpoints/last.safetensors"))
            let y = try Checkpoint.read(from: URL(fileURLWithPath: dir.path + "/\(name)/checkpoints/last.safetensors"))
            let beforeBatchNorm: Set = ["generator.fc.bias", "generator.up1.bias", "discriminator.c2.bias"]
            return x.tensors.filter { !$0.key.hasPrefix("optimizer") && !$0.key.contains("running") && !beforeBatchNorm.contains($0.key) }
                .map { name, t in Double((t - y.tensors[name]!).pow(2).sum().item.squareRoot() / Swift.max(t.pow(2).sum().item.squareRoot(), 1e-12)) }
                .max()!
        }
        let threads = try distance("threads"), synchronised = try distance("synchronised"), perProcess = try distance("per-process")
        #expect(synchronised <= 2 * threads, "synchronised \(synchronised) against threads \(threads)")
        #expect(perProcess >= 4 * synchronised, "per-process statistics \(perProcess) against synchronised \(synchronised)")
    }

    /// Every model trains three steps in two processes (synchronised batch norm, a global batch of
    /// 8) into the weights one process reaches: at most 2% of the parameters may differ by more
    /// than 1e-3 of their tensor's largest value (measured: none for ae, dae, vae, gan, ddpm,
    /// realnvp, pixelcnn; 0.002–0.7% for the rest, parameters whose gradient is zero but for
    /// rounding, such as biases in front of a normalisation, which Adam moves by noise). A draw
    /// that was not shared out (each process drawing its own rows' noise from the same state)
    /// changes nearly every parameter. Every process also checks, at each checkpoint, that it
    /// holds rank 0's parameters bit for bit, and the run fails if not.
    @Test func everyModelTrainsInTwoProcesses() throws {
        let dir = CLI.temporaryDirectory("dp-all")
        let help = try CLI.run(["train", "--help"])
        // The subcommands: the lines of the SUBCOMMANDS section that a name starts (two spaces in).
        let section = help.stdout.components(separatedBy: "SUBCOMMANDS:").last ?? ""
        let kinds = section.split(separator: "\n").compactMap { line -> String? in
            line.hasPrefix("  ") && !line.hasPrefix("   ") ? line.split(separator: " ").first.map(String.init) : nil
        }.filter { $0 != "help" && $0.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } }
        #expect(kinds.count >= 16, "models from mirage train --help: \(kinds)")
        for kind in kinds {
            var arguments = ["train", kind, "--steps", "3", "--batch-size", "8", "--subset", "64", "--threads", "1"]
            switch kind {
            case "pix2pix": arguments += ["--dataset", "mnist-edges"]
            case "cyclegan": arguments += ["--domain-a", "mnist", "--domain-b", "mnist-inverted"]
            default: break
            }
            let one = try CLI.run(arguments + ["--out", dir.path + "/\(kind)-1"])
            let two = try Self.mpirun(2, arguments + ["--sync-batchnorm", "--out", dir.path + "/\(kind)-2"])
            guard one.status == 0, two.status == 0 else {
                Issue.record("\(kind): \(one.stderr.suffix(300))\(two.stderr.suffix(600))")
                continue
            }
            let x = try Checkpoint.read(from: URL(fileURLWithPath: dir.path + "/\(kind)-1/checkpoints/last.safetensors"))
            let y = try Checkpoint.read(from: URL(fileURLWithPath: dir.path + "/\(kind)-2/checkpoints/last.safetensors"))
            var differing = 0, total = 0
            for (name, t) in x.tensors where !name.hasPrefix("optimizer") && !name.hasPrefix("state.") && !name.contains("running") {
                guard let u = y.tensors[name], u.shape == t.shape else { Issue.record("\(kind): \(name) missing"); continue }
                let bound = 1e-3 * t.abs().max().item + 1e-6
                differing += (t - u).abs().scalars.filter { $0 > bound }.count
                total += t.count
            }
            #expect(Double(differing) <= 0.02 * Double(total), "\(kind): \(differing) of \(total) parameters differ")
        }
    }

    /// Two hosts joined by a network: the network namespaces of `scripts/netns` (a veth pair,
    /// Open MPI's TCP transport, no shared memory), one rank in each. The VAE's 200 steps end as
    /// the one-process run does, as on one host. Needs root, as network namespaces do.
    @Test(.enabled(if: getuid() == 0, "network namespaces need root"))
    func twoHostsTrainTheOneProcessVAE() throws {
        let dir = CLI.temporaryDirectory("dp-hosts")
        let netns = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/netns").standardized.path
        let up = try CLI.run(["up"], executable: netns)
        #expect(up.status == 0, "\(up.stderr)")
        let common = ["train", "vae", "--steps", "200", "--threads", "1", "--log-every", "50"]
        let one = try CLI.run(common + ["--out", dir.path + "/one"])
        let two = try CLI.run(["mpirun", CLI.binary.path] + common + ["--out", dir.path + "/two"], executable: netns)
        #expect(one.status == 0 && two.status == 0, "\(two.stdout.suffix(500))\(two.stderr.suffix(1000))")
        let (worst, name) = try Self.difference(dir.path + "/one/checkpoints/last.safetensors", dir.path + "/two/checkpoints/last.safetensors")
        #expect(worst < 1e-4, "\(name) differs by \(worst) of its scale")
        #expect(two.stdout.contains("all-reduce: 2.61 MB of gradients per step"), "\(two.stdout.suffix(300))")
    }

    /// Processes that would train different runs are refused before the first step, naming the
    /// odd one out; so are a global batch they cannot share and commands other than train.
    @Test func disagreeingProcessesAndUnevenBatchesAreRefused() throws {
        let dir = CLI.temporaryDirectory("dp-refused")
        let run = ["train", "vae", "--steps", "5", "--threads", "1", "--out", dir.path + "/run"]
        let mixed = try CLI.run(["--allow-run-as-root", "--oversubscribe", "-np", "1", CLI.binary.path] + run + ["--seed", "1", ":",
                                 "-np", "1", CLI.binary.path] + run + ["--seed", "2"], executable: "mpirun")
        #expect(mixed.status != 0 && mixed.stderr.contains("rank 1 of 2 would train another run than rank 0"), "\(mixed.stderr)")
        let uneven = try Self.mpirun(2, run + ["--batch-size", "63", "--overwrite"])
        #expect(uneven.status != 0 && uneven.stderr.contains("--batch-size 63 is the global batch and 2 processes cannot share it"),
                "\(uneven.stderr)")
        // Other commands are one process's work: N copies would write the same file.
        let sample = try Self.mpirun(2, ["sample", dir.path + "/run", "--count", "4", "--out", dir.path + "/s.npy"])
        #expect(sample.status != 0 && sample.stderr.contains("mirage sample runs in one process; start it without mpirun"), "\(sample.stderr)")
    }

    /// `mpirun -np 2 mirage train dcgan` on a long run in the background, its standard error
    /// going to `stderr`; returns once a checkpoint exists.
    static func startLongRun(_ run: String, extra: [String] = [], stderr: String) throws -> SpawnedProcess {
        let process = try SpawnedProcess(["mpirun", "--allow-run-as-root", "--oversubscribe", "-np", "2", CLI.binary.path, "train", "dcgan",
                                          "--steps", "1000000", "--batch-size", "16", "--subset", "64", "--threads", "1",
                                          "--checkpoint-every", "5", "--out", run] + extra, stderr: stderr)
        let checkpoint = run + "/checkpoints/last.safetensors", deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: checkpoint) && Date() < deadline { usleep(50_000) }
        return process
    }

    /// The rank processes mpirun started.
    static func ranks(of mpirun: SpawnedProcess) -> [Int32] {
        let result = try? CLI.run(["-P", "\(mpirun.pid)"], executable: "pgrep")
        return (result?.stdout ?? "").split(separator: "\n").compactMap { Int32($0) }
    }

    /// A rank killed outright ends the others within 30 s with an error naming it; the last
    /// checkpoint is whole and the run resumes (here in one process).
    @Test func aKilledProcessEndsTheRunAndItResumes() throws {
        let dir = CLI.temporaryDirectory("dp-kill")
        let run = dir.path + "/run", errors = dir.path + "/stderr.txt"
        let mpirun = try Self.startLongRun(run, stderr: errors)
        let ranks = Self.ranks(of: mpirun)
        #expect(ranks.count == 2, "rank processes: \(ranks)")
        usleep(500_000)
        kill(ranks.last!, SIGKILL)
        let killed = Date()
        let status = mpirun.wait(seconds: 60, after: "SIGKILL to one rank")
        #expect(Date().timeIntervalSince(killed) < 30)
        let message = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        #expect(status != 0 && message.contains("rank") && message.contains("signal 9"), "\(message)")
        let checkpoint = URL(fileURLWithPath: run + "/checkpoints/last.safetensors")
        #expect(CLI.isCompleteSafetensors(checkpoint))
        let step = try InterruptionTests.checkpointStep(checkpoint.path)
        let resumed = try CLI.run(["train", "dcgan", "--steps", "\(step + 5)", "--threads", "1", "--out", run, "--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resuming dcgan at step \(step)"), "\(resumed.stderr)")
    }

    /// A stop signal for mpirun: the ranks agree on the step to stop after, rank 0 saves once and
    /// says so. SIGTERM to mpirun reaches every rank as SIGTERM and mpirun exits 1 (Open MPI's
    /// status for a job it was told to end; it gives the ranks 1 s before SIGKILL, enough for a
    /// step of this size); SIGUSR1, which Open MPI forwards without ending the job, with
    /// `--checkpoint-on SIGUSR1`, and SIGTERM to the ranks themselves (as a scheduler that
    /// signals its tasks sends it) give 128 + the signal from mpirun.
    @Test(arguments: [("mpirun", SIGTERM, Int32(1)), ("mpirun", SIGUSR1, 128 + SIGUSR1), ("ranks", SIGTERM, 128 + SIGTERM)])
    func aStopSignalSavesOnceAndSaysSo(_ target: String, _ signal: Int32, _ status: Int32) throws {
        let name = signal == SIGTERM ? "SIGTERM" : "SIGUSR1"
        let run = CLI.temporaryDirectory("dp-stop-\(target)-\(name)").path, errors = run + "-stderr.txt"
        let mpirun = try Self.startLongRun(run, extra: signal == SIGUSR1 ? ["--checkpoint-on", "SIGUSR1"] : [], stderr: errors)
        let ranks = Self.ranks(of: mpirun)
        usleep(500_000)
        if target == "mpirun" { kill(mpirun.pid, signal) } else { ranks.forEach { kill($0, signal) } }
        let exit = mpirun.wait(seconds: 60, after: "\(name) to \(target)")
        let message = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
        let stops = message.components(separatedBy: "stopped by \(name) at step ").dropFirst()
        #expect(stops.count == 1, "one stop message, from rank 0: \(message)")
        let step = try InterruptionTests.checkpointStep(run + "/checkpoints/last.safetensors")
        #expect(stops.first.map { $0.hasPrefix("\(step),") } ?? false, "saved at \(step): \(message)")
        #expect(exit == status, "exit \(exit)")
    }
}

/// A program started with no signal blocked and every signal at its default action, whatever the
/// test runner's own mask is (Foundation's `Process` passes a runner's blocked signals on, and
/// mpirun then never sees the SIGTERM a test sends it).
final class SpawnedProcess {
    let pid: pid_t

    /// Starts `arguments[0]`, found on the PATH, with standard output discarded and standard
    /// error written to the file `stderr`.
    init(_ arguments: [String], stderr: String) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, stderr, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t(), all = sigset_t()
        sigemptyset(&none)
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard status == 0 else { throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EINVAL) }
        self.pid = pid
    }

    /// Waits up to `seconds` for the exit status (128 + the signal for a signal), killing the
    /// process and recording why if it runs longer.
    func wait(seconds: Double, after what: String) -> Int32 {
        let deadline = Date().addingTimeInterval(seconds)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline {
                kill(pid, SIGKILL)
                Issue.record("still running \(Int(seconds)) s after \(what)")
                waitpid(pid, &status, 0)
                break
            }
            usleep(50_000)
        }
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
