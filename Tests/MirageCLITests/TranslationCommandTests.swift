import Foundation
import MirageData
import MirageTensor
import Testing

/// pix2pix and CycleGAN through the commands: training on PNG folders, `mirage translate`,
/// `mirage eval translation`.
@Suite struct TranslationCommandTests {
    /// Another program's translations between a gray and a colour domain are scored with the
    /// same code: gray B → A outputs and colour A → B outputs of the first 8 test digits.
    @Test func evalTranslationScoresAnotherProgramsOutputs() throws {
        let dir = CLI.temporaryDirectory("peer-outputs")
        defer { try? FileManager.default.removeItem(at: dir) }
        func write(_ name: String, channels: Int, count: Int = 8) throws {
            let values = (0..<(count * channels * 784)).map { Float($0 % 97) / 96 }
            try NPY.write(NPYArray(shape: [count, channels, 28, 28], values: .float32(values)), to: dir.appendingPathComponent(name).path)
        }
        try write("a-to-b.npy", channels: 3)
        try write("a-to-b-to-a.npy", channels: 1)
        try write("b-to-a.npy", channels: 1)
        func score() throws -> [String: [String: Double]] {
            let result = try CLI.run(["eval", "translation", "--outputs", dir.path, "--domain-a", "mnist", "--domain-b", "mnist-colored",
                                      "--count", "8", "--json"])
            #expect(result.status == 0, "\(result.stderr)")
            return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [String: Double]] ?? [:]
        }
        // The numbers, not just their names: the cycle's L1 is the mean absolute difference from
        // the first 8 test digits, computed here.
        let digits = try ImageDataset.mnist(split: .test).tensor(indices: Array(0..<8)).scalars
        let pattern = (0..<(8 * 784)).map { Float($0 % 97) / 96 }
        let expectedL1 = zip(pattern, digits).reduce(0.0) { $0 + Double(abs($1.0 - $1.1)) } / Double(digits.count)
        let patterned = try score()
        #expect(patterned["a-to-b"]?["count"] == 8 && patterned["b-to-a"]?["count"] == 8)
        #expect(abs((patterned["a-to-b"]?["cycle_l1"] ?? -1) - expectedL1) < 1e-5, "\(patterned)")
        // Outputs that are the digits themselves: no cycle error, every digit read back as its
        // class, and a Fréchet distance far below the patterns'.
        try NPY.write(NPYArray(shape: [8, 1, 28, 28], values: .float32(digits)), to: dir.appendingPathComponent("a-to-b-to-a.npy").path)
        try NPY.write(NPYArray(shape: [8, 1, 28, 28], values: .float32(digits)), to: dir.appendingPathComponent("b-to-a.npy").path)
        let perfect = try score()
        #expect(perfect["a-to-b"]?["cycle_l1"] == 0 && perfect["a-to-b"]?["round_trip_accuracy"] == 1, "\(perfect)")
        #expect(perfect["b-to-a"]?["judge_accuracy"] == 1, "\(perfect)")
        #expect((perfect["b-to-a"]?["frechet_distance"] ?? .infinity) < (patterned["b-to-a"]?["frechet_distance"] ?? 0) / 2, "\(perfect) \(patterned)")
        // A gray file where colour outputs belong is refused, naming the file.
        try write("a-to-b.npy", channels: 1)
        let wrong = try CLI.run(["eval", "translation", "--outputs", dir.path, "--domain-a", "mnist", "--domain-b", "mnist-colored", "--count", "8"])
        #expect(wrong.status != 0 && wrong.stderr.contains("a-to-b.npy") && wrong.stderr.contains("3×28×28"), "\(wrong.stderr)")
        let neither = try CLI.run(["eval", "translation"])
        #expect(neither.status != 0 && neither.stderr.contains("give a run folder"))
    }

    /// pix2pix and CycleGAN train on PNG folders in the layouts their datasets ship (A|B pairs;
    /// trainA/ and trainB/, gray and RGB), write index.html, and `mirage translate` maps a folder
    /// to PNGs of the same names; bad inputs are refused with the file named.
    @Test func translationModelsTrainOnFoldersAndTranslate() throws {
        let dir = CLI.temporaryDirectory("translation")
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
        let p = try CLI.run(["train", "pix2pix", "--dataset", pairs, "--out", pix2pix] + small)
        #expect(p.status == 0, "\(p.stderr)")
        let c = try CLI.run(["train", "cyclegan", "--dataset", dir.appendingPathComponent("domains").path, "--out", cyclegan] + small)
        #expect(c.status == 0, "\(c.stderr)")
        let page = (try? String(contentsOfFile: cyclegan + "/index.html", encoding: .utf8)) ?? ""
        #expect(page.contains("samples/epoch-001.png") && page.contains("samples/epoch-001-b-to-a.png"), "\(page)")
        let config = (try? String(contentsOfFile: pix2pix + "/config.json", encoding: .utf8)) ?? ""
        #expect(config.contains("\"jitter\" : 2") && config.contains("\"flip\" : true"), "PNG folders are jittered and flipped: \(config)")

        let outputs = dir.appendingPathComponent("outputs").path
        let t = try CLI.run(["translate", pix2pix, loose, "--out", outputs])
        #expect(t.status == 0, "\(t.stderr)")
        let written = (try? FileManager.default.contentsOfDirectory(atPath: outputs).sorted()) ?? []
        #expect(written == (0..<12).map { String(format: "in-%02d.png", $0) })
        let back = try CLI.run(["translate", cyclegan, trainB + "/03.png", "--direction", "b-to-a", "--out", dir.appendingPathComponent("b.npy").path])
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
            let result = try CLI.run(arguments)
            #expect(result.status != 0 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"), "\(result.stderr)")
        }
    }


    /// An input of any size is read, translated and written a chunk at a time: 2,500 images (three
    /// chunks) translate to what the same images give one chunk at a time, row for row, and a
    /// bad value deep in the file is named by its index in the whole file.
    @Test func largeInputsAreTranslatedInChunks() throws {
        let dir = CLI.temporaryDirectory("translate-chunks")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("p2p").path
        let trained = try CLI.run(["train", "pix2pix", "--dataset", "mnist-edges", "--steps", "2", "--batch-size", "8", "--subset", "16",
                                   "--filters", "8", "--discriminator-filters", "8", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let edges = dir.appendingPathComponent("edges.npy").path
        let exported = try CLI.run(["data", "export", "mnist-edges", "--split", "test", "--count", "2500", "--domain", "a", "--out", edges])
        #expect(exported.status == 0, "\(exported.stderr)")
        let all = dir.appendingPathComponent("all.npy").path, head = dir.appendingPathComponent("head.npy").path
        #expect(try CLI.run(["translate", run, edges, "--out", all]).status == 0)
        var first = try NPY.read(edges)
        guard case let .float32(values) = first.values else { Issue.record("not float32"); return }
        first = NPYArray(shape: [40, 1, 28, 28], values: .float32(Array(values.suffix(40 * 784))))
        let tail = dir.appendingPathComponent("tail.npy").path
        try NPY.write(first, to: tail)
        #expect(try CLI.run(["translate", run, tail, "--out", head]).status == 0)
        let a = try NPY.read(all), b = try NPY.read(head)
        #expect(a.shape == [2500, 1, 28, 28] && b.shape == [40, 1, 28, 28])
        guard case let .float32(va) = a.values, case let .float32(vb) = b.values else { Issue.record("not float32"); return }
        #expect(Array(va.suffix(40 * 784)) == vb, "the last chunk's rows differ from the same images translated alone")

        var bad = values
        bad[2100 * 784 + 5] = 1.5
        try NPY.write(NPYArray(shape: [2500, 1, 28, 28], values: .float32(bad)), to: edges)
        let refused = try CLI.run(["translate", run, edges, "--out", all])
        #expect(refused.status != 0 && refused.stderr.contains("value 1.5 at flat index \(2100 * 784 + 5) is outside [0, 1]"), "\(refused.stderr)")
    }
}
