import Foundation
import MirageData
import Testing

/// The `mirage` binary as a user runs it: help text, errors and a small end-to-end run.
@Suite struct CommandLineTests {
    /// The binary SwiftPM built next to this test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mirage")
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-cli-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// Help texts are compared with committed snapshots. `MIRAGE_RECORD_SNAPSHOTS=1` rewrites them
    /// and fails the test, so that a recording run is never mistaken for a passing one.
    @Test(arguments: [["--help"], ["train", "--help"], ["train", "vae", "--help"], ["train", "gan", "--help"], ["train", "cyclegan", "--help"], ["translate", "--help"],
                      ["sample", "--help"], ["eval", "nll", "--help"], ["eval", "modes", "--help"], ["eval", "anomaly", "--help"], ["eval", "augment", "--help"], ["report", "--help"], ["import", "--help"], ["bench", "--help"], ["data", "export", "--help"]])
    func helpMatchesSnapshot(_ arguments: [String]) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 0)
        let file = Self.snapshots.appendingPathComponent(arguments.filter { $0 != "--help" }.joined(separator: "-").ifEmpty("mirage") + ".txt")
        if ProcessInfo.processInfo.environment["MIRAGE_RECORD_SNAPSHOTS"] == "1" {
            try result.stdout.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded \(file.lastPathComponent); rerun without MIRAGE_RECORD_SNAPSHOTS to check it")
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(result.stdout == expected, "help for \(arguments) changed; rerun with MIRAGE_RECORD_SNAPSHOTS=1 if intended")
    }

    @Test func trainHelpListsEveryModelAndEachModelItsOwnOptions() throws {
        let list = try Self.run(["train", "--help"]).stdout
        for model in ["ae", "dae", "vae", "gan", "dcgan"] { #expect(list.contains("  \(model) "), "missing \(model)") }
        let vae = try Self.run(["train", "vae", "--help"]).stdout, gan = try Self.run(["train", "gan", "--help"]).stdout
        for help in [vae, gan] {
            for option in ["--epochs <epochs>", "--steps <steps>", "--batch-size <batch-size>", "--lr <lr>", "--seed <seed>",
                           "--out <out>", "--resume", "--checkpoint-every", "--data-dir", "--dataset <name|path>", "--threads"] {
                #expect(help.contains(option), "missing \(option)")
            }
            for defaultValue in ["(default: 5)", "(default: 64)", "(default: 0)", "(default: 1000)"] {
                #expect(help.contains(defaultValue), "missing \(defaultValue)")
            }
        }
        #expect(vae.contains("--gaussian-decoder") && !gan.contains("--gaussian-decoder"))
        #expect(gan.contains("--beta1") && !vae.contains("--beta1"))
    }

    @Test func anOptionOfAnotherModelIsRejectedWithTheModelsThatTakeIt() throws {
        let result = try Self.run(["train", "gan", "--gaussian-decoder", "--steps", "1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--gaussian-decoder is not an option of gan; it is an option of vae"), "\(result.stderr)")
        let noise = try Self.run(["train", "vae", "--noise", "masking"])
        #expect(noise.status != 0 && noise.stderr.contains("--noise is not an option of vae; it is an option of dae"), "\(noise.stderr)")
        let nowhere = try Self.run(["train", "vae", "--no-such-option"])
        #expect(nowhere.status != 0 && nowhere.stderr.contains("Unknown option '--no-such-option'"), "\(nowhere.stderr)")
    }

    @Test func badInputGivesAClearError() throws {
        let unknown = try Self.run(["train", "nosuchmodel"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown model 'nosuchmodel'; choose one of ae, dae, vae, gan, dcgan, wgan, wgan-gp, cgan, infogan"), "\(unknown.stderr)")
        let missing = try Self.run(["sample", "/nonexistent/run"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/run does not exist"))
        let noData = try Self.run(["train", "gan", "--data-dir", "/nonexistent/data", "--steps", "1"])
        #expect(noData.status != 0)
        #expect(noData.stderr.contains("/nonexistent/data"))
        // Inputs that once stopped a release build without a word: each is now one line and status 1 or 64.
        let dir = Self.temporaryDirectory("bad-input")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["train", "dcgan", "--batch-size", "1", "--steps", "1"], "--batch-size 1 is too small for dcgan"),
            (["train", "vae", "--latent", "0"], "--latent must be positive, got 0"),
            (["train", "gan", "--subset", "10", "--batch-size", "64"], "--subset must hold at least one batch (64 images)"),
        ]
        for (i, (arguments, message)) in cases.enumerated() {
            let result = try Self.run(arguments + ["--out", dir.appendingPathComponent("run\(i)").path])
            #expect((1...127).contains(result.status) && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("precondition"), "\(result.stderr)")
        }
    }

    /// A dataset whose files are absent names every folder tried; a derived domain trains; a
    /// dataset of the wrong kind for the model says what the model trains on.
    @Test func trainOnANamedDataset() throws {
        let dir = Self.temporaryDirectory("datasets")
        defer { try? FileManager.default.removeItem(at: dir) }
        let absent = try Self.run(["train", "dcgan", "--dataset", "fashion-mnist", "--steps", "1", "--out", dir.appendingPathComponent("f").path])
        #expect(absent.status != 0)
        #expect(absent.stderr.contains("dataset 'fashion-mnist' not found") && absent.stderr.contains("Data/fashion-mnist"), "\(absent.stderr)")
        let toy = try Self.run(["train", "dcgan", "--dataset", "ring8", "--steps", "1", "--out", dir.appendingPathComponent("t").path])
        #expect(toy.status != 0 && toy.stderr.contains("ring8 holds 2-D points, but this model trains on images"), "\(toy.stderr)")
        let run = dir.appendingPathComponent("inverted").path
        let inverted = try Self.run(["train", "dcgan", "--dataset", "mnist-inverted", "--steps", "3", "--batch-size", "16",
                                     "--subset", "64", "--out", run])
        #expect(inverted.status == 0, "\(inverted.stderr)")
        #expect(inverted.stdout.contains("on mnist-inverted"))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        #expect(config?["dataset"] as? String == "mnist-inverted")
        // A resume without --dataset continues on the run's own data.
        let resumed = try Self.run(["train", "dcgan", "--steps", "4", "--batch-size", "16", "--subset", "64", "--out", run, "--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("on mnist-inverted"), "\(resumed.stderr)")
    }

    /// Commands that need a capability say which models have it.
    @Test func capabilitiesAreCheckedWithAClearMessage() throws {
        let dir = Self.temporaryDirectory("capabilities")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("dcgan").path
        let trained = try Self.run(["train", "dcgan", "--steps", "1", "--batch-size", "16", "--subset", "16", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let nll = try Self.run(["eval", "nll", run])
        #expect(nll.status != 0 && nll.stderr.contains("has no likelihood; models that have it: vae"), "\(nll.stderr)")
        let reconstruction = try Self.run(["eval", "reconstruction", run])
        #expect(reconstruction.status != 0 && reconstruction.stderr.contains("has no reconstruction; models that have it: ae, dae, vae"),
                "\(reconstruction.stderr)")
        let conditional = try Self.run(["sample", run, "--class", "3", "--out", dir.appendingPathComponent("s.npy").path])
        #expect(conditional.status == 64 && conditional.stderr.contains("--class is not a sampling option of \(run) (dcgan); it is one of cgan, infogan, ddpm, pixelcnn"),
                "\(conditional.stderr)")
        // The run's help shows its own model's sampling options, and no other model's.
        let help = try Self.run(["sample", run, "--help"])
        let own = help.stdout.components(separatedBy: "SAMPLING OPTIONS OF DCGAN").last!
        #expect(help.status == 0 && help.stdout.contains("--count <count>") && help.stdout.contains("SAMPLING OPTIONS OF DCGAN")
                && own.contains("--latents <z.npy>") && !own.contains("--sampler") && !own.contains("--temperature"), "\(help.stdout)")
    }

    /// A second run into an occupied folder refuses and leaves the first run intact; --overwrite
    /// replaces it.
    @Test func anOccupiedRunFolderIsNotReplacedSilently() throws {
        let dir = Self.temporaryDirectory("occupied")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let small = ["--steps", "2", "--batch-size", "16", "--subset", "32", "--out", run]
        #expect(try Self.run(["train", "vae"] + small).status == 0)
        let checkpoint = URL(fileURLWithPath: run + "/checkpoints/last.safetensors")
        let before = try Data(contentsOf: checkpoint), metrics = try Data(contentsOf: URL(fileURLWithPath: run + "/metrics.jsonl"))
        let second = try Self.run(["train", "dcgan"] + small)
        #expect(second.status == 1)
        #expect(second.stderr.contains("\(run) already holds a vae run; continue it with --resume, replace it with --overwrite"), "\(second.stderr)")
        #expect(try Data(contentsOf: checkpoint) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/metrics.jsonl")) == metrics)
        let replaced = try Self.run(["train", "dcgan", "--overwrite"] + small)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        #expect(config?["kind"] as? String == "dcgan")
        #expect(!FileManager.default.fileExists(atPath: run + "/samples/epoch-001-reconstructions.png"), "the VAE's sheets must go")
    }

    /// --resume keeps the run's seed, batch size and model options; asking for others is refused.
    @Test func resumeRefusesOptionsThatWouldMakeAnotherRun() throws {
        let dir = Self.temporaryDirectory("conflicts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        #expect(try Self.run(["train", "vae", "--steps", "2", "--batch-size", "16", "--subset", "64", "--seed", "3", "--latent", "8",
                              "--out", run]).status == 0)
        let conflict = try Self.run(["train", "vae", "--steps", "4", "--out", run, "--resume", "--latent", "4", "--seed", "5"])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("--seed 5 differs from the run's 3") && conflict.stderr.contains("the model's latent is 8 and the options ask for 4"),
                "\(conflict.stderr)")
        // Without them the stored seed, batch size, subset and latent size carry on.
        let resumed = try Self.run(["train", "vae", "--steps", "4", "--out", run, "--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resuming vae at step 2 of 4"), "\(resumed.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        let training = config?["training"] as? [String: Any]
        #expect(training?["seed"] as? Int == 3 && training?["batchSize"] as? Int == 16 && training?["trainingSubset"] as? Int == 64)
    }

    /// Ctrl-C saves a checkpoint, says where, and exits with 130 so that scripts can tell.
    @Test func interruptSavesAndExitsWith130() throws {
        let dir = Self.temporaryDirectory("interrupt")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let process = Process()
        process.executableURL = Self.binary
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

    /// Whether `url` is a whole safetensors file: its header parses and its tensors end exactly at
    /// the end of the file (a half-written file fails one or the other).
    static func isCompleteSafetensors(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url), data.count >= 8 else { return false }
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length >= 2, 8 + length <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] else { return false }
        let end = header.values.compactMap { ($0 as? [String: Any])?["data_offsets"] as? [Int] }.map { $0[1] }.max() ?? 0
        return 8 + length + end == data.count
    }

    /// Crash safety end to end: a run killed with SIGKILL at seeded random moments (with a
    /// checkpoint every step, many kills land in a checkpoint write) and resumed each time ends
    /// with the same checkpoint, byte for byte, as a run never interrupted; every checkpoint left
    /// behind by a kill is whole.
    @Test func killedAndResumedRunsEndWithTheSameWeights() throws {
        let dir = Self.temporaryDirectory("sigkill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let common = ["train", "dcgan", "--steps", "30", "--batch-size", "16", "--subset", "256", "--checkpoint-every", "1",
                      "--log-every", "5"]
        let reference = dir.appendingPathComponent("reference").path, victim = dir.appendingPathComponent("victim").path
        #expect(try Self.run(common + ["--out", reference]).status == 0)
        let checkpoint = URL(fileURLWithPath: victim + "/checkpoints/last.safetensors")
        var seed: UInt64 = 0x9E3779B97F4A7C15
        var kills = 0, finished = false
        // Twelve attempts may be killed, the thirteenth runs to the end: on a loaded machine a
        // process can take longer to start than any kill delay, and the test must still end.
        for attempt in 0..<13 where !finished {
            let process = Process()
            process.executableURL = Self.binary
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
                #expect(Self.isCompleteSafetensors(checkpoint), "a kill left a half-written checkpoint")
            }
        }
        #expect(finished, "the run did not finish when left alone")
        #expect(kills >= 2, "only \(kills) kills landed: the test did not test anything")
        let a = try Data(contentsOf: URL(fileURLWithPath: reference + "/checkpoints/last.safetensors")), b = try Data(contentsOf: checkpoint)
        #expect(a == b, "the resumed run's final checkpoint differs from the uninterrupted run's (after \(kills) kills)")
    }

    /// The fuzz targets replay their committed seed corpus in a plain build (what `scripts/fuzz`
    /// starts from), so a harness that no longer builds or runs is caught here.
    @Test func fuzzTargetsReplayTheirCorpus() throws {
        let corpus = Self.snapshots.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")
        let fuzz = Self.binary.deletingLastPathComponent().appendingPathComponent("mirage-fuzz")
        for target in ["safetensors", "checkpoint", "npy", "png", "idx", "gzip", "cifar"] {
            let files = try FileManager.default.contentsOfDirectory(atPath: corpus.appendingPathComponent(target).path).sorted()
            #expect(!files.isEmpty, "no seeds for \(target)")
            let process = Process()
            process.executableURL = fuzz
            process.arguments = [target] + files.map { corpus.appendingPathComponent(target).appendingPathComponent($0).path }
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0 && text.contains("\(target): \(files.count) inputs, no crash"), "\(target): \(text)")
        }
    }

    /// `mirage data export` writes numpy-readable float32 images and int64 labels.
    @Test func dataExportWritesNPYFiles() throws {
        let dir = Self.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), y = dir.appendingPathComponent("y.npy")
        let result = try Self.run(["data", "export", "mnist-edges", "--split", "test", "--count", "100", "--domain", "a",
                                   "--out", a.path, "--labels", y.path])
        #expect(result.status == 0, "\(result.stderr)")
        let images = try Data(contentsOf: a), labels = try Data(contentsOf: y)
        let imageHeader = String(decoding: images.prefix(128), as: UTF8.self), labelHeader = String(decoding: labels.prefix(128), as: UTF8.self)
        #expect(imageHeader.contains("'descr': '<f4'") && imageHeader.contains("'shape': (100, 1, 28, 28)"))
        #expect(images.count == 128 + 100 * 784 * 4)
        #expect(labelHeader.contains("'descr': '<i8'") && labelHeader.contains("'shape': (100,)"))
        #expect(labels.count == 128 + 100 * 8)
        // The first test digit is a 7; its label is the int64 7.
        #expect(labels[128] == 7 && labels[129..<136].allSatisfy { $0 == 0 })
        let b = dir.appendingPathComponent("b.npy")
        #expect(try Self.run(["data", "export", "mnist-edges", "--count", "5", "--domain", "b", "--out", b.path]).status == 0)
        // Domain b holds the digits themselves, so it differs from the edge maps.
        #expect(try Data(contentsOf: b).dropFirst(128) != images.dropFirst(128).prefix(5 * 784 * 4))
    }

    /// Train a few steps, resume, then sample: the files a user looks at all appear.
    @Test func trainResumeAndSample() throws {
        let dir = Self.temporaryDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("gan").path
        let common = ["--batch-size", "16", "--subset", "64", "--out", run, "--log-every", "2"]
        let first = try Self.run(["train", "gan", "--steps", "4"] + common)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try Self.run(["train", "gan", "--steps", "6", "--resume"] + common)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("resuming gan at step 4 of 6"))
        let npy = dir.appendingPathComponent("s.npy").path, grid = dir.appendingPathComponent("s.png").path
        let sample = try Self.run(["sample", run, "--count", "10", "--out", npy, "--grid", grid, "--threads", "1"])
        #expect(sample.status == 0, "\(sample.stderr)")
        let threads = try Self.run(["eval", "nll", run, "--threads", "0"])
        #expect(threads.status != 0 && threads.stderr.contains("--threads must lie in 1...1024, got 0"), "\(threads.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: npy))
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        #expect(header.contains("'shape': (10, 1, 28, 28)") && header.contains("<f4"))
        #expect(bytes.count == 128 + 10 * 784 * 4)
        for file in ["config.json", "metrics.jsonl", "loss.png", "checkpoints/last.safetensors", "samples/epoch-001.png"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "missing \(file)")
        }
        #expect(FileManager.default.fileExists(atPath: grid))

        // --latents: the generator's images of given noise vectors, the same for the same rows
        // whatever else is in the file (to rounding: oneDNN picks its kernels by batch size); a
        // wrong width, a NaN or a pairing with --class is refused.
        let z = dir.appendingPathComponent("z.npy").path, z2 = dir.appendingPathComponent("z2.npy").path
        let rows = (0..<300).map { Float(sin(Double($0) * 0.37)) * 1.5 }
        try NPY.write(NPYArray(shape: [3, 100], values: .float32(rows)), to: z)
        try NPY.write(NPYArray(shape: [2, 100], values: .float32(Array(rows.prefix(200)))), to: z2)
        let (a, b) = (dir.appendingPathComponent("a.npy").path, dir.appendingPathComponent("b.npy").path)
        #expect(try Self.run(["sample", run, "--latents", z, "--out", a]).status == 0)
        #expect(try Self.run(["sample", run, "--latents", z2, "--out", b]).status == 0)
        let (fromThree, fromTwo) = (try NPY.read(a), try NPY.read(b))
        #expect(fromThree.shape == [3, 1, 28, 28] && fromTwo.shape == [2, 1, 28, 28])
        if case let .float32(x) = fromThree.values, case let .float32(y) = fromTwo.values {
            let sameRows = zip(x.prefix(2 * 784), y).map { Swift.abs($0 - $1) }.max() ?? 1
            #expect(sameRows < 1e-5, "the same latents gave images \(sameRows) apart")
            let otherRow = zip(x.prefix(784), x[784..<(2 * 784)]).map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(otherRow > 1e-3, "different latents gave the same image")
        }
        try NPY.write(NPYArray(shape: [3, 7], values: .float32(Array(rows.prefix(21)))), to: z)
        let narrow = try Self.run(["sample", run, "--latents", z, "--out", a])
        #expect(narrow.status != 0 && narrow.stderr.contains("latents of shape [3, 7]") && narrow.stderr.contains("N×100"), "\(narrow.stderr)")
        var withNaN = Array(rows.prefix(200))
        withNaN[150] = .nan
        try NPY.write(NPYArray(shape: [2, 100], values: .float32(withNaN)), to: z)
        let nan = try Self.run(["sample", run, "--latents", z, "--out", a])
        #expect(nan.status != 0 && nan.stderr.contains("latent value 150 (row 1) is nan"), "\(nan.stderr)")
        let paired = try Self.run(["sample", run, "--latents", z2, "--class", "3", "--out", a])
        // The class is a sampling option of the conditional models alone: the refusal names them.
        #expect(paired.status != 0 && paired.stderr.contains("--class is not a sampling option of") && paired.stderr.contains("cgan, infogan, ddpm, pixelcnn")
                && paired.stderr.contains("gan takes --latents"), "\(paired.stderr)")
    }

    /// The tensors of a safetensors file whose names start with `prefix`, as a new file: what
    /// `torch.save_file(module.state_dict())` of one submodule looks like.
    static func keepTensors(from source: String, prefix: String, to destination: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as! [String: Any]
        let body = bytes.subdata(in: (8 + headerLength)..<bytes.count)
        var entries: [String: Any] = [:], data = Data()
        for name in header.keys.sorted() where name.hasPrefix(prefix) {
            var entry = header[name] as! [String: Any]
            let offsets = entry["data_offsets"] as! [Int]
            entry["data_offsets"] = [data.count, data.count + offsets[1] - offsets[0]]
            data.append(body.subdata(in: offsets[0]..<offsets[1]))
            entries[name] = entry
        }
        var json = try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data((0..<8).map { UInt8((json.count >> (8 * $0)) & 0xff) })
        out.append(json)
        out.append(data)
        try out.write(to: URL(fileURLWithPath: destination))
    }

    /// `mirage import`: a generator's state dict becomes a run that samples as the original
    /// does; a state dict with a key missing, stray keys, or for a kind it does not fit is
    /// refused with the file named.
    @Test func importsAStateDict() throws {
        let dir = Self.temporaryDirectory("import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("gan").path
        #expect(try Self.run(["train", "gan", "--steps", "2", "--batch-size", "16", "--subset", "64", "--out", run]).status == 0)
        let weights = dir.appendingPathComponent("generator.safetensors").path
        try Self.keepTensors(from: run + "/checkpoints/last.safetensors", prefix: "generator.", to: weights)
        let imported = dir.appendingPathComponent("imported").path
        let result = try Self.run(["import", "gan", weights, "--out", imported])
        #expect(result.status == 0 && result.stdout.contains("imported generator of gan")
                && result.stdout.contains("left as initialised: discriminator"), "\(result.stdout) \(result.stderr)")
        let z = dir.appendingPathComponent("z.npy").path
        try NPY.write(NPYArray(shape: [4, 100], values: .float32((0..<400).map { Float(cos(Double($0))) })), to: z)
        let (a, b) = (dir.appendingPathComponent("a.npy").path, dir.appendingPathComponent("b.npy").path)
        #expect(try Self.run(["sample", run, "--latents", z, "--out", a]).status == 0)
        #expect(try Self.run(["sample", imported, "--latents", z, "--out", b]).status == 0)
        #expect(try NPY.read(a) == NPY.read(b), "the imported generator draws other images than the original")

        let again = try Self.run(["import", "gan", weights, "--out", imported])
        #expect(again.status != 0 && again.stderr.contains("--overwrite"), "\(again.stderr)")
        // Over a trained run: refused, then with --overwrite the old run's files go with it.
        let overTrained = try Self.run(["import", "gan", weights, "--out", run])
        #expect(overTrained.status != 0 && overTrained.stderr.contains("already holds a run"), "\(overTrained.stderr)")
        #expect(try Self.run(["import", "gan", weights, "--out", run, "--overwrite"]).status == 0)
        for file in ["config.json", "metrics.jsonl"] {
            #expect(!FileManager.default.fileExists(atPath: run + "/" + file), "\(file) of the trained run outlived --overwrite")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: run + "/samples"))?.isEmpty ?? true, "the trained run's sheets outlived --overwrite")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/last.safetensors"))
        let wrongKind = try Self.run(["import", "vae", weights, "--out", dir.appendingPathComponent("v").path])
        #expect(wrongKind.status != 0 && wrongKind.stderr.contains("keys outside vae's networks"), "\(wrongKind.stderr)")
        let partial = dir.appendingPathComponent("partial.safetensors").path
        try Self.keepTensors(from: weights, prefix: "generator.main.0.", to: partial)
        let missing = try Self.run(["import", "gan", partial, "--out", dir.appendingPathComponent("p").path])
        #expect(missing.status != 0 && missing.stderr.contains(partial) && missing.stderr.contains("missing keys"), "\(missing.stderr)")
    }

    /// A DDPM samples from the moving average of its weights: an import starts that average at
    /// the imported weights, so a run whose average is its weights (decay 0) and the import of
    /// those weights draw the same images.
    @Test func importsADiffusionModel() throws {
        let dir = Self.temporaryDirectory("import-ddpm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("ddpm").path
        let trained = try Self.run(["train", "ddpm", "--steps", "2", "--batch-size", "8", "--subset", "16", "--ema-decay", "0", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let weights = dir.appendingPathComponent("unet.safetensors").path
        try Self.keepTensors(from: run + "/checkpoints/last.safetensors", prefix: "unet.", to: weights)
        let imported = dir.appendingPathComponent("imported").path
        let result = try Self.run(["import", "ddpm", weights, "--out", imported])
        #expect(result.status == 0 && result.stdout.contains("starts at the imported weights"), "\(result.stdout) \(result.stderr)")
        let (a, b) = (dir.appendingPathComponent("a.npy").path, dir.appendingPathComponent("b.npy").path)
        let sampler = ["--sampler", "ddim", "--sampling-steps", "3", "--count", "2", "--seed", "5"]
        #expect(try Self.run(["sample", run, "--out", a] + sampler).status == 0)
        #expect(try Self.run(["sample", imported, "--out", b] + sampler).status == 0)
        #expect(try NPY.read(a) == NPY.read(b), "the imported DDPM samples from another average than its weights")
    }

    /// pix2pix and CycleGAN train on PNG folders in the layouts their datasets ship (A|B pairs;
    /// trainA/ and trainB/, gray and RGB), write index.html, and `mirage translate` maps a folder
    /// to PNGs of the same names; bad inputs are refused with the file named.
    /// A PixelCNN trains, samples pixel by pixel with progress and images/s on standard error,
    /// scores its exact test NLL, and refuses a class it was not trained with.
    @Test func pixelCNNTrainsSamplesAndScores() throws {
        let dir = Self.temporaryDirectory("pixelcnn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let trained = try Self.run(["train", "pixelcnn", "--gated", "--filters", "4", "--layers", "1", "--steps", "2",
                                    "--batch-size", "16", "--subset", "32", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let out = dir.appendingPathComponent("s.npy").path
        let sampled = try Self.run(["sample", run, "--count", "3", "--out", out])
        #expect(sampled.status == 0 && sampled.stderr.contains("sampled 3 images") && sampled.stderr.contains("step 784/784"), "\(sampled.stderr)")
        let samples = try NPY.read(out)
        #expect(samples.shape == [3, 1, 28, 28])
        let nll = try Self.run(["eval", "nll", run, "--count", "20", "--json"])
        #expect(nll.status == 0 && nll.stdout.contains("\"method\":\"exact\""), "\(nll.stderr)")
        let classed = try Self.run(["sample", run, "--class", "3", "--out", out])
        #expect(classed.status != 0 && classed.stderr.contains("trained without classes"), "\(classed.stderr)")
        let z = dir.appendingPathComponent("z.npy").path
        try NPY.write(NPYArray(shape: [1, 4], values: .float32([0, 1, 2, 3])), to: z)
        let latents = try Self.run(["sample", run, "--latents", z, "--out", out])
        #expect(latents.status != 0 && latents.stderr.contains("--latents is not a sampling option") && latents.stderr.contains("vae, gan, dcgan, wgan, wgan-gp"),
                "\(latents.stderr)")
    }

    /// A GAN on a 2-D mixture: training draws scatter sheets, and `eval modes` scores the run and
    /// a .npy with known coverage (points on 5 of grid25's modes: 5 captured, KL = log 5).
    @Test func modeCollapseOnAMixtureIsMeasured() throws {
        let dir = Self.temporaryDirectory("modes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let trained = try Self.run(["train", "gan", "--dataset", "ring8", "--pack", "2", "--steps", "20", "--batch-size", "16", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/samples/epoch-001.png"))
        let scored = try Self.run(["eval", "modes", run, "--json"])
        #expect(scored.status == 0 && scored.stdout.contains("\"dataset\":\"ring8\"") && scored.stdout.contains("\"modes\":8"), "\(scored.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/modes-ring8.png"))
        let grid = GaussianMixture2D.grid25()
        let points = (0..<500).flatMap { i in [grid.modes[5 * (i % 5)].x, grid.modes[5 * (i % 5)].y] }
        let file = dir.appendingPathComponent("five.npy").path
        try NPY.write(NPYArray(shape: [500, 2], values: .float32(points)), to: file)
        let five = try Self.run(["eval", "modes", file, "--dataset", "grid25", "--json"])
        #expect(five.status == 0 && five.stdout.contains("\"modes_captured\":5") && five.stdout.contains("\"high_quality_share\":1"), "\(five.stdout) \(five.stderr)")
        #expect(five.stdout.contains("\"kl_to_uniform\":1.609437912434"), "\(five.stdout)")
        let wrong = try Self.run(["eval", "modes", file, "--dataset", "stacked-mnist"])
        #expect(wrong.status != 0 && wrong.stderr.contains("[N, 3, 28, 28]"), "\(wrong.stderr)")
        let dcgan = try Self.run(["train", "dcgan", "--dataset", "ring8", "--steps", "1", "--out", run + "-dcgan"])
        #expect(dcgan.status != 0 && dcgan.stderr.contains("holds 2-D points"), "\(dcgan.stderr)")
    }

    /// Another program's translations between a gray and a colour domain are scored with the
    /// same code: gray B → A outputs and colour A → B outputs of the first 8 test digits.
    @Test func evalTranslationScoresAnotherProgramsOutputs() throws {
        let dir = Self.temporaryDirectory("peer-outputs")
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, channels: Int, count: Int = 8) throws {
            let values = (0..<(count * channels * 784)).map { Float($0 % 97) / 96 }
            try NPY.write(NPYArray(shape: [count, channels, 28, 28], values: .float32(values)), to: dir.appendingPathComponent(name).path)
        }
        try write("a-to-b.npy", channels: 3)
        try write("a-to-b-to-a.npy", channels: 1)
        try write("b-to-a.npy", channels: 1)
        let ok = try Self.run(["eval", "translation", "--outputs", dir.path, "--domain-a", "mnist", "--domain-b", "mnist-colored",
                               "--count", "8", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        #expect(ok.stdout.contains("\"b-to-a\"") && ok.stdout.contains("\"a-to-b\"") && ok.stdout.contains("cycle"))
        // A gray file where colour outputs belong is refused, naming the file.
        try write("a-to-b.npy", channels: 1)
        let wrong = try Self.run(["eval", "translation", "--outputs", dir.path, "--domain-a", "mnist", "--domain-b", "mnist-colored", "--count", "8"])
        #expect(wrong.status != 0 && wrong.stderr.contains("a-to-b.npy") && wrong.stderr.contains("3×28×28"), "\(wrong.stderr)")
        let neither = try Self.run(["eval", "translation"])
        #expect(neither.status != 0 && neither.stderr.contains("give a run folder"))
    }

    @Test func translationModelsTrainOnFoldersAndTranslate() throws {
        let dir = Self.temporaryDirectory("translation")
        defer { try? FileManager.default.removeItem(at: dir) }
        func folder(_ name: String) throws -> String {
            let path = dir.appendingPathComponent(name).path
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            return path
        }
        func pattern(_ i: Int, _ x: Int, _ y: Int) -> UInt8 { UInt8((x * 13 + y * 7 + i * 29) % 256) }
        let pairs = try folder("pairs"), loose = try folder("loose")
        for i in 0..<12 {
            var pair = RasterImage(width: 32, height: 16, channels: 1, filledWith: 0)
            var a = RasterImage(width: 16, height: 16, channels: 1, filledWith: 0)
            for y in 0..<16 {
                for x in 0..<16 {
                    pair.pixels[y * 32 + x] = pattern(i, x, y)
                    pair.pixels[y * 32 + 16 + x] = 255 - pattern(i, x, y)
                    a.pixels[y * 16 + x] = pattern(i, x, y)
                }
            }
            try PNG.write(pair, to: String(format: "%@/%02d.png", pairs, i))
            try PNG.write(a, to: String(format: "%@/in-%02d.png", loose, i))
        }
        let domains = try folder("domains"), trainA = try folder("domains/trainA"), trainB = try folder("domains/trainB")
        _ = domains
        for i in 0..<10 {
            try PNG.write(RasterImage(width: 16, height: 16, channels: 1, filledWith: UInt8(i * 20)), to: String(format: "%@/%02d.png", trainA, i))
            try PNG.write(RasterImage(width: 16, height: 16, channels: 3, filledWith: UInt8(250 - i * 20)), to: String(format: "%@/%02d.png", trainB, i))
        }
        let small = ["--steps", "2", "--batch-size", "4", "--filters", "8", "--discriminator-filters", "8", "--log-every", "1"]
        let pix2pix = dir.appendingPathComponent("pix2pix").path, cyclegan = dir.appendingPathComponent("cyclegan").path
        let p = try Self.run(["train", "pix2pix", "--dataset", pairs, "--out", pix2pix] + small)
        #expect(p.status == 0, "\(p.stderr)")
        let c = try Self.run(["train", "cyclegan", "--dataset", dir.appendingPathComponent("domains").path, "--out", cyclegan] + small)
        #expect(c.status == 0, "\(c.stderr)")
        let page = (try? String(contentsOfFile: cyclegan + "/index.html", encoding: .utf8)) ?? ""
        #expect(page.contains("samples/epoch-001.png") && page.contains("samples/epoch-001-b-to-a.png"), "\(page)")
        let config = (try? String(contentsOfFile: pix2pix + "/config.json", encoding: .utf8)) ?? ""
        #expect(config.contains("\"jitter\" : 2") && config.contains("\"flip\" : true"), "PNG folders are jittered and flipped: \(config)")

        let outputs = dir.appendingPathComponent("outputs").path
        let t = try Self.run(["translate", pix2pix, loose, "--out", outputs])
        #expect(t.status == 0, "\(t.stderr)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: outputs).sorted()) ?? []
        #expect(written == (0..<12).map { String(format: "in-%02d.png", $0) })
        let back = try Self.run(["translate", cyclegan, trainB + "/03.png", "--direction", "b-to-a", "--out", dir.appendingPathComponent("b.npy").path])
        #expect(back.status == 0, "\(back.stderr)")

        let mixed = try folder("mixed"), empty = try folder("empty")
        try PNG.write(RasterImage(width: 16, height: 16, channels: 1, filledWith: 9), to: mixed + "/a.png")
        try PNG.write(RasterImage(width: 20, height: 16, channels: 1, filledWith: 9), to: mixed + "/b.png")
        let cases: [([String], String)] = [
            (["translate", pix2pix, mixed, "--out", outputs], "\(mixed)/b.png: is 20×16, but the model translates 16×16 images"),
            (["translate", pix2pix, trainB + "/00.png", "--out", outputs], "\(trainB)/00.png: is colour, but the model translates 1-channel images"),
            (["translate", cyclegan, trainA + "/00.png", "--direction", "b-to-a", "--out", outputs], "\(trainA)/00.png: is gray, but the model translates 3-channel images"),
            (["translate", pix2pix, empty, "--out", outputs], "\(empty): holds no .png files"),
            (["translate", pix2pix, loose, "--direction", "b-to-a", "--out", outputs], "translates a-to-b only, not b-to-a"),
            (["train", "pix2pix", "--dataset", mixed, "--steps", "1", "--out", dir.appendingPathComponent("bad").path], "\(mixed)/b.png: is 20×16 but"),
        ]
        for (arguments, message) in cases {
            let result = try Self.run(arguments)
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        }
    }

    /// `mirage bench` with a stand-in peer (a shell script printing what the PyTorch peer prints):
    /// the table and the JSON carry both sides and their ratio; a failing peer names itself.
    @Test func benchAgainstAPeer() throws {
        let dir = Self.temporaryDirectory("bench")
        let peer = dir.appendingPathComponent("peer.sh")
        // Called as: sh peer.sh MODEL --steps N --threads T
        try """
        echo "{\\"model\\": \\"$1\\", \\"ms_per_step\\": 1000.0, \\"mean_ms_per_step\\": 1000.0, \\"peak_rss_mb\\": 700.0}"
        """.write(to: peer, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("bench.json")
        let result = try Self.run(["bench", "vae", "--steps", "2", "--peer", "/bin/sh", "--peer-script", peer.path,
                                   "--json", json.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("vae") && result.stdout.contains("geometric mean of ratios"))
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        let rows = report?["models"] as? [[String: Any]]
        let row = try #require(rows?.first)
        let (mirage, ratio) = (row["mirage_ms_per_step"] as? Double ?? 0, row["ratio"] as? Double ?? 0)
        #expect(row["model"] as? String == "vae" && row["peer_ms_per_step"] as? Double == 1000)
        #expect(mirage > 0 && Swift.abs(ratio - 1000 / mirage) < 1e-6 * ratio)
        #expect((row["gflop_per_step"] as? Double ?? 0) > 0.2 && (row["mirage_peak_rss_mb"] as? Double ?? 0) > 0)
        #expect(report?["sgemm_gflops"] as? Double ?? 0 > 0)
        let best = report?["instruction_set"] as? String
        #expect(best == "avx2" || best == "portable")
        #expect(result.stdout.contains("Mirage kernels \(best ?? "?")"))

        // The portable kernels on request (what a CPU without AVX2 gets): the step still trains.
        let portable = try Self.run(["bench", "vae", "--steps", "2", "--json", json.path],
                                    environment: ["MIRAGE_INSTRUCTION_SET": "portable"])
        #expect(portable.status == 0, "\(portable.stderr)")
        let portableReport = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        #expect(portableReport?["instruction_set"] as? String == "portable")
        #expect(((portableReport?["models"] as? [[String: Any]])?.first?["mirage_ms_per_step"] as? Double ?? 0) > 0)

        try "echo 'No module named torch' >&2; exit 1".write(to: peer, atomically: true, encoding: .utf8)
        let failed = try Self.run(["bench", "vae", "--steps", "1", "--peer", "/bin/sh", "--peer-script", peer.path])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("the peer") && failed.stderr.contains("No module named torch"), "\(failed.stderr)")
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
