import Foundation
import MirageData
import Testing

/// Small end-to-end runs: train, resume, sample, export, score, and the fuzz targets' corpus.
@Suite struct TrainAndSampleTests {
    /// The fuzz targets replay their committed seed corpus in a plain build (what `scripts/fuzz`
    /// starts from), so a harness that no longer builds or runs is caught here.
    @Test func fuzzTargetsReplayTheirCorpus() throws {
        let corpus = CLI.snapshots.deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("FuzzCorpus")
        let fuzz = CLI.binary.deletingLastPathComponent().appendingPathComponent("mirage-fuzz")
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
        let dir = CLI.temporaryDirectory("export")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.npy"), y = dir.appendingPathComponent("y.npy")
        let result = try CLI.run(["data", "export", "mnist-edges", "--split", "test", "--count", "100", "--domain", "a",
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
        #expect(try CLI.run(["data", "export", "mnist-edges", "--count", "5", "--domain", "b", "--out", b.path]).status == 0)
        // Domain b holds the digits themselves, so it differs from the edge maps.
        #expect(try Data(contentsOf: b).dropFirst(128) != images.dropFirst(128).prefix(5 * 784 * 4))
    }

    /// Train a few steps, resume, then sample: the files a user looks at all appear.
    @Test func trainResumeAndSample() throws {
        let dir = CLI.temporaryDirectory("e2e")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("gan").path
        let common = ["--batch-size", "16", "--subset", "64", "--out", run, "--log-every", "2"]
        let first = try CLI.run(["train", "gan", "--steps", "4"] + common)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try CLI.run(["train", "gan", "--steps", "6", "--resume"] + common)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout.contains("resuming gan at step 4 of 6"))
        let npy = dir.appendingPathComponent("s.npy").path, grid = dir.appendingPathComponent("s.png").path
        let sample = try CLI.run(["sample", run, "--count", "10", "--out", npy, "--grid", grid, "--threads", "1"])
        #expect(sample.status == 0, "\(sample.stderr)")
        let threads = try CLI.run(["eval", "nll", run, "--threads", "0"])
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
        #expect(try CLI.run(["sample", run, "--latents", z, "--out", a]).status == 0)
        #expect(try CLI.run(["sample", run, "--latents", z2, "--out", b]).status == 0)
        let (fromThree, fromTwo) = (try NPY.read(a), try NPY.read(b))
        #expect(fromThree.shape == [3, 1, 28, 28] && fromTwo.shape == [2, 1, 28, 28])
        if case let .float32(x) = fromThree.values, case let .float32(y) = fromTwo.values {
            let sameRows = zip(x.prefix(2 * 784), y).map { Swift.abs($0 - $1) }.max() ?? 1
            #expect(sameRows < 1e-5, "the same latents gave images \(sameRows) apart")
            let otherRow = zip(x.prefix(784), x[784..<(2 * 784)]).map { Swift.abs($0 - $1) }.max() ?? 0
            #expect(otherRow > 1e-3, "different latents gave the same image")
        }
        try NPY.write(NPYArray(shape: [3, 7], values: .float32(Array(rows.prefix(21)))), to: z)
        let narrow = try CLI.run(["sample", run, "--latents", z, "--out", a])
        #expect(narrow.status != 0 && narrow.stderr.contains("latents of shape [3, 7]") && narrow.stderr.contains("N×100"), "\(narrow.stderr)")
        var withNaN = Array(rows.prefix(200))
        withNaN[150] = .nan
        try NPY.write(NPYArray(shape: [2, 100], values: .float32(withNaN)), to: z)
        let nan = try CLI.run(["sample", run, "--latents", z, "--out", a])
        #expect(nan.status != 0 && nan.stderr.contains("latent value 150 (row 1) is nan"), "\(nan.stderr)")
        let paired = try CLI.run(["sample", run, "--latents", z2, "--class", "3", "--out", a])
        // The class is a sampling option of the conditional models alone: the refusal names them.
        #expect(paired.status != 0 && paired.stderr.contains("--class is not a sampling option of") && paired.stderr.contains("cgan, infogan, ddpm, pixelcnn")
                && paired.stderr.contains("gan takes --latents"), "\(paired.stderr)")
    }

    /// A PixelCNN trains, samples pixel by pixel with progress and images/s on standard error,
    /// scores its exact test NLL, and refuses a class it was not trained with.
    @Test func pixelCNNTrainsSamplesAndScores() throws {
        let dir = CLI.temporaryDirectory("pixelcnn")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let trained = try CLI.run(["train", "pixelcnn", "--gated", "--filters", "4", "--layers", "1", "--steps", "2",
                                    "--batch-size", "16", "--subset", "32", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let out = dir.appendingPathComponent("s.npy").path
        let sampled = try CLI.run(["sample", run, "--count", "3", "--out", out])
        #expect(sampled.status == 0 && sampled.stderr.contains("sampled 3 images") && sampled.stderr.contains("step 784/784"), "\(sampled.stderr)")
        let samples = try NPY.read(out)
        #expect(samples.shape == [3, 1, 28, 28])
        let nll = try CLI.run(["eval", "nll", run, "--count", "20", "--json"])
        #expect(nll.status == 0 && nll.stdout.contains("\"method\":\"exact\""), "\(nll.stderr)")
        let classed = try CLI.run(["sample", run, "--class", "3", "--out", out])
        #expect(classed.status != 0 && classed.stderr.contains("trained without classes"), "\(classed.stderr)")
        let z = dir.appendingPathComponent("z.npy").path
        try NPY.write(NPYArray(shape: [1, 4], values: .float32([0, 1, 2, 3])), to: z)
        let latents = try CLI.run(["sample", run, "--latents", z, "--out", out])
        #expect(latents.status != 0 && latents.stderr.contains("--latents is not a sampling option") && latents.stderr.contains("vae, gan, dcgan, wgan, wgan-gp"),
                "\(latents.stderr)")
    }

    /// `--no-sheets` leaves out the sample sheets and nothing else: the run still has its loss
    /// curve, page and checkpoint, and samples as the run with sheets does.
    @Test func noSheetsLeavesOutOnlyTheSheets() throws {
        let dir = CLI.temporaryDirectory("no-sheets")
        defer { try? FileManager.default.removeItem(at: dir) }
        for sheets in [true, false] {
            let run = dir.appendingPathComponent(sheets ? "with" : "without").path
            let trained = try CLI.run(["train", "dcgan", "--steps", "2", "--batch-size", "16", "--subset", "32", "--out", run]
                                      + (sheets ? [] : ["--no-sheets"]))
            #expect(trained.status == 0, "\(trained.stderr)")
            let drawn = (try? FileManager.default.contentsOfDirectory(atPath: run + "/samples")) ?? []
            #expect(drawn.contains("epoch-001.png") == sheets, "\(drawn)")
            for file in ["loss.png", "index.html", "checkpoints/last.safetensors"] {
                #expect(FileManager.default.fileExists(atPath: run + "/" + file), "\(file) missing")
            }
        }
        let a = dir.appendingPathComponent("a.npy").path, b = dir.appendingPathComponent("b.npy").path
        #expect(try CLI.run(["sample", dir.appendingPathComponent("with").path, "--count", "4", "--out", a]).status == 0)
        #expect(try CLI.run(["sample", dir.appendingPathComponent("without").path, "--count", "4", "--out", b]).status == 0)
        #expect(try NPY.read(a) == NPY.read(b), "drawing the sheets changed the run")
    }

    /// A GAN on a 2-D mixture: training draws scatter sheets, and `eval modes` scores the run and
    /// a .npy with known coverage (points on 5 of grid25's modes: 5 captured, KL = log 5).
    @Test func modeCollapseOnAMixtureIsMeasured() throws {
        let dir = CLI.temporaryDirectory("modes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run").path
        let trained = try CLI.run(["train", "gan", "--dataset", "ring8", "--pack", "2", "--steps", "20", "--batch-size", "16", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/samples/epoch-001.png"))
        let scored = try CLI.run(["eval", "modes", run, "--json"])
        #expect(scored.status == 0 && scored.stdout.contains("\"dataset\":\"ring8\"") && scored.stdout.contains("\"modes\":8"), "\(scored.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/modes-ring8.png"))
        let grid = GaussianMixture2D.grid25()
        let points = (0..<500).flatMap { i in [grid.modes[5 * (i % 5)].x, grid.modes[5 * (i % 5)].y] }
        let file = dir.appendingPathComponent("five.npy").path
        try NPY.write(NPYArray(shape: [500, 2], values: .float32(points)), to: file)
        let five = try CLI.run(["eval", "modes", file, "--dataset", "grid25", "--json"])
        #expect(five.status == 0 && five.stdout.contains("\"modes_captured\":5") && five.stdout.contains("\"high_quality_share\":1"), "\(five.stdout) \(five.stderr)")
        #expect(five.stdout.contains("\"kl_to_uniform\":1.609437912434"), "\(five.stdout)")
        let wrong = try CLI.run(["eval", "modes", file, "--dataset", "stacked-mnist"])
        #expect(wrong.status != 0 && wrong.stderr.contains("[N, 3, 28, 28]"), "\(wrong.stderr)")
        let dcgan = try CLI.run(["train", "dcgan", "--dataset", "ring8", "--steps", "1", "--out", run + "-dcgan"])
        #expect(dcgan.status != 0 && dcgan.stderr.contains("holds 2-D points"), "\(dcgan.stderr)")
    }


    /// Sampling of any size: a count past one chunk is drawn and written a chunk at a time (its
    /// first samples are those of a smaller count with the same seed), and a count whose file
    /// would not fit the free disk is refused before anything is drawn, with the numbers.
    @Test func samplingOfAnySizeIsChunkedAndChecksTheDisk() throws {
        let dir = CLI.temporaryDirectory("large-sample")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("gan").path
        let trained = try CLI.run(["train", "gan", "--steps", "2", "--batch-size", "16", "--subset", "32", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let large = dir.appendingPathComponent("large.npy").path, small = dir.appendingPathComponent("small.npy").path
        let many = try CLI.run(["sample", run, "--count", "9000", "--out", large])
        #expect(many.status == 0 && many.stderr.contains("sampled 9000/9000"), "\(many.stderr)")
        let few = try CLI.run(["sample", run, "--count", "100", "--out", small])
        #expect(few.status == 0, "\(few.stderr)")
        let a = try NPY.read(large), b = try NPY.read(small)
        #expect(a.shape == [9000, 1, 28, 28] && b.shape == [100, 1, 28, 28])
        guard case let .float32(va) = a.values, case let .float32(vb) = b.values else { Issue.record("not float32"); return }
        #expect(Array(va.prefix(vb.count)) == vb)
        #expect(Set(va.suffix(784)).count > 10, "the last chunk holds images, not zeros")

        let huge = try CLI.run(["sample", run, "--count", "100000000000", "--out", dir.appendingPathComponent("huge.npy").path])
        #expect(huge.status == 64 && huge.stderr.contains("--count 100000000000 samples of 1×28×28 float32 need 313.6 TB and \(dir.path) has"),
                "\(huge.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("huge.npy").path))
    }
}
