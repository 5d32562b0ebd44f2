import Foundation
import MirageData
import Testing

/// `mirage train stylegan` on MNIST, on coloured digits and on a folder of PNGs; sampling with
/// truncation, mixing and the grid; the path length; and the errors a user can make.
@Suite struct StyleGANCommandTests {
    static let small = ["--steps", "2", "--batch-size", "8", "--subset", "64", "--channels", "16", "--latent", "16",
                        "--mapping-layers", "2", "--threads", "1"]

    @Test func trainSampleAndMeasure() throws {
        let dir = CLI.temporaryDirectory("stylegan")
        let run = dir.path + "/run"
        let train = try CLI.run(["train", "stylegan"] + Self.small + ["--out", run])
        #expect(train.status == 0, "\(train.stderr)")
        for sheet in ["epoch-001.png", "epoch-001-samples-psi0.7.png", "epoch-001-mixing.png", "epoch-001-noise.png"] {
            #expect(FileManager.default.fileExists(atPath: run + "/samples/" + sheet), "\(sheet)")
        }
        let sample = try CLI.run(["sample", run, "--count", "5", "--truncation", "0.5", "--noise", "zero", "--out", dir.path + "/s.npy",
                                  "--mixing-grid", dir.path + "/grid.png"])
        #expect(sample.status == 0, "\(sample.stderr)")
        #expect(try NPY.read(dir.path + "/s.npy").shape == [5, 1, 28, 28])
        let grid = try PNG.read(dir.path + "/grid.png")
        #expect(grid.width == 7 * 30 + 2 && grid.height == 6 * 30 + 2, "the grid is 7 × 6 cells of 28 + 2 pixels: \(grid.width)×\(grid.height)")
        // Coarse styles from T on S's images equal fine styles from S on T's.
        for (seed, mixSeed, rows, out) in [("1", "2", "coarse", "a.npy"), ("2", "1", "fine", "b.npy")] {
            let mixed = try CLI.run(["sample", run, "--count", "4", "--seed", seed, "--mix-seed", mixSeed, "--mix", rows, "--noise", "zero",
                                     "--out", dir.path + "/" + out])
            #expect(mixed.status == 0, "\(mixed.stderr)")
        }
        #expect(try NPY.read(dir.path + "/a.npy").tensor.scalars == NPY.read(dir.path + "/b.npy").tensor.scalars)
        let ppl = try CLI.run(["eval", "ppl", run, "--pairs", "40", "--json"])
        #expect(ppl.status == 0 && ppl.stdout.contains("\"ppl\":"), "\(ppl.stdout)\(ppl.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/evals/ppl.json"))
        let mixing = try CLI.run(["eval", "mixing", run, "--count", "30", "--json"])
        #expect(mixing.status == 0 && mixing.stdout.contains("\"coarse_reads_t\":") && mixing.stdout.contains("\"count\":30"),
                "\(mixing.stdout)\(mixing.stderr)")
        #expect(FileManager.default.fileExists(atPath: run + "/evals/mixing.json"))
        let sameSeeds = try CLI.run(["eval", "mixing", run, "--seed", "4", "--mix-seed", "4"])
        #expect(sameSeeds.status != 0 && sameSeeds.stderr.contains("--seed and --mix-seed are both 4"), "\(sameSeeds.stderr)")

        for (arguments, message) in [(["--truncation", "2.5"], "--truncation must lie in (0, 2], got 2.5"),
                                     (["--mix", "coarse"], "--mix and --mix-seed go together"),
                                     (["--mix", "middle", "--mix-seed", "3"], "--mix must be coarse or fine, got middle")] {
            let bad = try CLI.run(["sample", run, "--count", "2", "--out", dir.path + "/x.npy"] + arguments)
            #expect(bad.status != 0 && bad.stderr.contains(message), "\(arguments): \(bad.stderr)")
        }
        let vae = dir.path + "/vae"
        _ = try CLI.run(["train", "vae", "--steps", "1", "--subset", "64", "--out", vae])
        let noW = try CLI.run(["eval", "ppl", vae])
        #expect(noW.status != 0 && noW.stderr.contains("models that have it: stylegan"), "\(noW.stderr)")
        let noStyles = try CLI.run(["eval", "mixing", vae])
        #expect(noStyles.status != 0 && noStyles.stderr.contains("style mixing") && noStyles.stderr.contains("stylegan"), "\(noStyles.stderr)")
    }

    /// Coloured digits (3 × 28 × 28, padded to 32) and a folder of 16 × 16 RGB PNGs (no padding)
    /// train and sample at their own size; a side that cannot be padded evenly is refused.
    @Test func rgbDigitsAndAFolderOfPNGs() throws {
        let dir = CLI.temporaryDirectory("stylegan-rgb")
        let colored = try CLI.run(["train", "stylegan", "--dataset", "mnist-colored"] + Self.small + ["--out", dir.path + "/colored"])
        #expect(colored.status == 0, "\(colored.stderr)")
        // The judge reads gray MNIST-sized digits: the measures that read its classes or features refuse these.
        for measure in ["ppl", "mixing"] {
            let refused = try CLI.run(["eval", measure, dir.path + "/colored", "--json"])
            #expect(refused.status != 0 && refused.stderr.contains("draws images of [3, 28, 28]; the judge reads [1, 28, 28]"),
                    "\(measure): \(refused.stderr)")
        }
        let folder = dir.path + "/pngs"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for i in 0..<16 {
            try PNG.write(RasterImage(width: 16, height: 16, channels: 3, filledWith: UInt8(i * 15)), to: String(format: "%@/%02d.png", folder, i))
        }
        let pngs = try CLI.run(["train", "stylegan", "--dataset", folder] + Self.small.map { $0 == "64" ? "16" : $0 } + ["--out", dir.path + "/pngs-run"])
        #expect(pngs.status == 0, "\(pngs.stderr)")
        let sample = try CLI.run(["sample", dir.path + "/pngs-run", "--count", "3", "--out", dir.path + "/p.npy"])
        #expect(sample.status == 0 && (try? NPY.read(dir.path + "/p.npy").shape) == [3, 3, 16, 16], "\(sample.stderr)")
        let odd = dir.path + "/odd"
        try FileManager.default.createDirectory(atPath: odd, withIntermediateDirectories: true)
        for i in 0..<16 { try PNG.write(RasterImage(width: 13, height: 13, channels: 1, filledWith: 9), to: String(format: "%@/%02d.png", odd, i)) }
        let refused = try CLI.run(["train", "stylegan", "--dataset", odd] + Self.small.map { $0 == "64" ? "16" : $0 } + ["--out", dir.path + "/odd-run"])
        #expect(refused.status != 0 && refused.stderr.contains("a side of 13 cannot be padded evenly to 16"), "\(refused.stderr)")
    }
}
