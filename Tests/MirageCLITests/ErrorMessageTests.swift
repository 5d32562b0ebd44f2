import Foundation
import MirageData
import Testing

/// Bad input, missing data, missing capabilities, occupied folders and conflicting resumes: each
/// stops with a message that names the problem.
@Suite struct ErrorMessageTests {
    @Test func badInputGivesAClearError() throws {
        let unknown = try CLI.run(["train", "nosuchmodel"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown model 'nosuchmodel'; choose one of ae, dae, vae, gan, dcgan, wgan, wgan-gp, cgan, infogan"), "\(unknown.stderr)")
        let missing = try CLI.run(["sample", "/nonexistent/run"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/run does not exist"))
        let noData = try CLI.run(["train", "gan", "--data-dir", "/nonexistent/data", "--steps", "1"])
        #expect(noData.status != 0)
        #expect(noData.stderr.contains("/nonexistent/data"))
        // Inputs that once stopped a release build without a word: each is now one line and status 1 or 64.
        let dir = CLI.temporaryDirectory("bad-input")
        defer { try? FileManager.default.removeItem(at: dir) }
        let cases: [([String], String)] = [
            (["train", "dcgan", "--batch-size", "1", "--steps", "1"], "--batch-size 1 is too small for dcgan"),
            (["train", "vae", "--latent", "0"], "--latent must be positive, got 0"),
            (["train", "gan", "--subset", "10", "--batch-size", "64"], "--subset must hold at least one batch (64 images)"),
        ]
        for (i, (arguments, message)) in cases.enumerated() {
            let result = try CLI.run(arguments + ["--out", dir.appendingPathComponent("run\(i)").path])
            #expect((1...127).contains(result.status) && result.stderr.contains(message), "\(arguments): \(result.status) \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("precondition"), "\(result.stderr)")
        }
    }

    /// A dataset whose files are absent names every folder tried; a derived domain trains; a
    /// dataset of the wrong kind for the model says what the model trains on.
    @Test func trainOnANamedDataset() throws {
        let dir = CLI.temporaryDirectory("datasets")
        defer { try? FileManager.default.removeItem(at: dir) }
        let absent = try CLI.run(["train", "dcgan", "--dataset", "fashion-mnist", "--steps", "1", "--out", dir.appendingPathComponent("f").path])
        #expect(absent.status != 0)
        #expect(absent.stderr.contains("dataset 'fashion-mnist' not found") && absent.stderr.contains("Data/fashion-mnist"), "\(absent.stderr)")
        let toy = try CLI.run(["train", "dcgan", "--dataset", "ring8", "--steps", "1", "--out", dir.appendingPathComponent("t").path])
        #expect(toy.status != 0 && toy.stderr.contains("ring8 holds 2-D points, but this model trains on images"), "\(toy.stderr)")
        let run = dir.appendingPathComponent("inverted").path
        let inverted = try CLI.run(["train", "dcgan", "--dataset", "mnist-inverted", "--steps", "3", "--batch-size", "16",
                                     "--subset", "64", "--out", run])
        #expect(inverted.status == 0, "\(inverted.stderr)")
        #expect(inverted.stdout.contains("on mnist-inverted"))
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        #expect(config?["dataset"] as? String == "mnist-inverted")
        // A resume without --dataset continues on the run's own data.
        let resumed = try CLI.run(["train", "dcgan", "--steps", "4", "--batch-size", "16", "--subset", "64", "--out", run, "--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("on mnist-inverted"), "\(resumed.stderr)")
    }

    /// Commands that need a capability say which models have it.
    @Test func capabilitiesAreCheckedWithAClearMessage() throws {
        let dir = CLI.temporaryDirectory("capabilities")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("dcgan").path
        let trained = try CLI.run(["train", "dcgan", "--steps", "1", "--batch-size", "16", "--subset", "16", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let nll = try CLI.run(["eval", "nll", run])
        #expect(nll.status != 0 && nll.stderr.contains("has no likelihood; models that have it: vae"), "\(nll.stderr)")
        let reconstruction = try CLI.run(["eval", "reconstruction", run])
        #expect(reconstruction.status != 0 && reconstruction.stderr.contains("has no reconstruction; models that have it: ae, dae, vae"),
                "\(reconstruction.stderr)")
        let conditional = try CLI.run(["sample", run, "--class", "3", "--out", dir.appendingPathComponent("s.npy").path])
        #expect(conditional.status == 64 && conditional.stderr.contains("--class is not a sampling option of \(run) (dcgan); it is one of cgan, infogan, ddpm, pixelcnn"),
                "\(conditional.stderr)")
        // The run's help shows its own model's sampling options, and no other model's.
        let help = try CLI.run(["sample", run, "--help"])
        let own = help.stdout.components(separatedBy: "SAMPLING OPTIONS OF DCGAN").last!
        #expect(help.status == 0 && help.stdout.contains("--count <count>") && help.stdout.contains("SAMPLING OPTIONS OF DCGAN")
                && own.contains("--latents <z.npy>") && !own.contains("--sampler") && !own.contains("--temperature"), "\(help.stdout)")
    }

    /// A second run into an occupied folder refuses and leaves the first run intact; --overwrite
    /// replaces it.
    @Test func anOccupiedRunFolderIsNotReplacedSilently() throws {
        let dir = CLI.temporaryDirectory("occupied")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let small = ["--steps", "2", "--batch-size", "16", "--subset", "32", "--out", run]
        #expect(try CLI.run(["train", "vae"] + small).status == 0)
        let checkpoint = URL(fileURLWithPath: run + "/checkpoints/last.safetensors")
        let before = try Data(contentsOf: checkpoint), metrics = try Data(contentsOf: URL(fileURLWithPath: run + "/metrics.jsonl"))
        let second = try CLI.run(["train", "dcgan"] + small)
        #expect(second.status == 1)
        #expect(second.stderr.contains("\(run) already holds a vae run; continue it with --resume, replace it with --overwrite"), "\(second.stderr)")
        #expect(try Data(contentsOf: checkpoint) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: run + "/metrics.jsonl")) == metrics)
        let replaced = try CLI.run(["train", "dcgan", "--overwrite"] + small)
        #expect(replaced.status == 0, "\(replaced.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        #expect(config?["kind"] as? String == "dcgan")
        #expect(!FileManager.default.fileExists(atPath: run + "/samples/epoch-001-reconstructions.png"), "the VAE's sheets must go")
    }

    /// --resume keeps the run's seed, batch size and model options; asking for others is refused.
    @Test func resumeRefusesOptionsThatWouldMakeAnotherRun() throws {
        let dir = CLI.temporaryDirectory("conflicts")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        #expect(try CLI.run(["train", "vae", "--steps", "2", "--batch-size", "16", "--subset", "64", "--seed", "3", "--latent", "8",
                              "--out", run]).status == 0)
        let conflict = try CLI.run(["train", "vae", "--steps", "4", "--out", run, "--resume", "--latent", "4", "--seed", "5"])
        #expect(conflict.status == 1)
        #expect(conflict.stderr.contains("--seed 5 differs from the run's 3") && conflict.stderr.contains("the model's latent is 8 and the options ask for 4"),
                "\(conflict.stderr)")
        // Without them the stored seed, batch size, subset and latent size carry on.
        let resumed = try CLI.run(["train", "vae", "--steps", "4", "--out", run, "--resume"])
        #expect(resumed.status == 0 && resumed.stdout.contains("resuming vae at step 2 of 4"), "\(resumed.stderr)")
        let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json"))) as? [String: Any]
        let training = config?["training"] as? [String: Any]
        #expect(training?["seed"] as? Int == 3 && training?["batchSize"] as? Int == 16 && training?["trainingSubset"] as? Int == 64)
    }

}
