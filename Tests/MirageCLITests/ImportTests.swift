import Foundation
import MirageData
import Testing

/// `mirage import`: PyTorch state dicts become runs.
@Suite struct ImportTests {
    /// `mirage import`: a generator's state dict becomes a run that samples as the original
    /// does; a state dict with a key missing, stray keys, or for a kind it does not fit is
    /// refused with the file named.
    @Test func importsAStateDict() throws {
        let dir = CLI.temporaryDirectory("import")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("gan").path
        #expect(try CLI.run(["train", "gan", "--steps", "2", "--batch-size", "16", "--subset", "64", "--out", run]).status == 0)
        let weights = dir.appendingPathComponent("generator.safetensors").path
        try CLI.keepTensors(from: run + "/checkpoints/last.safetensors", prefix: "generator.", to: weights)
        let imported = dir.appendingPathComponent("imported").path
        let result = try CLI.run(["import", "gan", weights, "--out", imported])
        #expect(result.status == 0 && result.stdout.contains("imported generator of gan")
                && result.stdout.contains("left as initialised: discriminator"), "\(result.stdout) \(result.stderr)")
        let z = dir.appendingPathComponent("z.npy").path
        try NPY.write(NPYArray(shape: [4, 100], values: .float32((0..<400).map { Float(cos(Double($0))) })), to: z)
        let (a, b) = (dir.appendingPathComponent("a.npy").path, dir.appendingPathComponent("b.npy").path)
        #expect(try CLI.run(["sample", run, "--latents", z, "--out", a]).status == 0)
        #expect(try CLI.run(["sample", imported, "--latents", z, "--out", b]).status == 0)
        #expect(try NPY.read(a) == NPY.read(b), "the imported generator draws other images than the original")

        let again = try CLI.run(["import", "gan", weights, "--out", imported])
        #expect(again.status != 0 && again.stderr.contains("--overwrite"), "\(again.stderr)")
        // Over a trained run: refused, then with --overwrite the old run's files go with it.
        let overTrained = try CLI.run(["import", "gan", weights, "--out", run])
        #expect(overTrained.status != 0 && overTrained.stderr.contains("already holds a run"), "\(overTrained.stderr)")
        #expect(try CLI.run(["import", "gan", weights, "--out", run, "--overwrite"]).status == 0)
        for file in ["config.json", "metrics.jsonl"] {
            #expect(!FileManager.default.fileExists(atPath: run + "/" + file), "\(file) of the trained run outlived --overwrite")
        }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: run + "/samples"))?.isEmpty ?? true, "the trained run's sheets outlived --overwrite")
        #expect(FileManager.default.fileExists(atPath: run + "/checkpoints/last.safetensors"))
        let wrongKind = try CLI.run(["import", "vae", weights, "--out", dir.appendingPathComponent("v").path])
        #expect(wrongKind.status != 0 && wrongKind.stderr.contains("keys outside vae's networks"), "\(wrongKind.stderr)")
        let partial = dir.appendingPathComponent("partial.safetensors").path
        try CLI.keepTensors(from: weights, prefix: "generator.main.0.", to: partial)
        let missing = try CLI.run(["import", "gan", partial, "--out", dir.appendingPathComponent("p").path])
        #expect(missing.status != 0 && missing.stderr.contains(partial) && missing.stderr.contains("missing keys"), "\(missing.stderr)")
    }

    /// A DDPM samples from the moving average of its weights: an import starts that average at
    /// the imported weights, so a run whose average is its weights (decay 0) and the import of
    /// those weights draw the same images.
    @Test func importsADiffusionModel() throws {
        let dir = CLI.temporaryDirectory("import-ddpm")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("ddpm").path
        let trained = try CLI.run(["train", "ddpm", "--steps", "2", "--batch-size", "8", "--subset", "16", "--ema-decay", "0", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let weights = dir.appendingPathComponent("unet.safetensors").path
        try CLI.keepTensors(from: run + "/checkpoints/last.safetensors", prefix: "unet.", to: weights)
        let imported = dir.appendingPathComponent("imported").path
        let result = try CLI.run(["import", "ddpm", weights, "--out", imported])
        #expect(result.status == 0 && result.stdout.contains("starts at the imported weights"), "\(result.stdout) \(result.stderr)")
        let (a, b) = (dir.appendingPathComponent("a.npy").path, dir.appendingPathComponent("b.npy").path)
        let sampler = ["--sampler", "ddim", "--sampling-steps", "3", "--count", "2", "--seed", "5"]
        #expect(try CLI.run(["sample", run, "--out", a] + sampler).status == 0)
        #expect(try CLI.run(["sample", imported, "--out", b] + sampler).status == 0)
        #expect(try NPY.read(a) == NPY.read(b), "the imported DDPM samples from another average than its weights")
    }

}
