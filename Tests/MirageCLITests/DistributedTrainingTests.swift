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

    /// Processes that would train different runs are refused before the first step, naming the
    /// odd one out; so is a global batch they cannot share.
    @Test func disagreeingProcessesAndUnevenBatchesAreRefused() throws {
        let dir = CLI.temporaryDirectory("dp-refused")
        let run = ["train", "vae", "--steps", "5", "--threads", "1", "--out", dir.path + "/run"]
        let mixed = try CLI.run(["--allow-run-as-root", "--oversubscribe", "-np", "1", CLI.binary.path] + run + ["--seed", "1", ":",
                                 "-np", "1", CLI.binary.path] + run + ["--seed", "2"], executable: "mpirun")
        #expect(mixed.status != 0 && mixed.stderr.contains("rank 1 of 2 would train another run than rank 0"), "\(mixed.stderr)")
        let uneven = try Self.mpirun(2, run + ["--batch-size", "63", "--overwrite"])
        #expect(uneven.status != 0 && uneven.stderr.contains("--batch-size 63 is the global batch and 2 processes cannot share it"),
                "\(uneven.stderr)")
    }
}
