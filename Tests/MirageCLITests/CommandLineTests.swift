import Foundation
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

    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
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

    /// Help texts are compared with committed snapshots; `MIRAGE_RECORD_SNAPSHOTS=1` rewrites them.
    @Test(arguments: [["--help"], ["train", "--help"], ["sample", "--help"], ["eval", "nll", "--help"], ["bench", "--help"]])
    func helpMatchesSnapshot(_ arguments: [String]) throws {
        let result = try Self.run(arguments)
        #expect(result.status == 0)
        let file = Self.snapshots.appendingPathComponent(arguments.filter { $0 != "--help" }.joined(separator: "-").ifEmpty("mirage") + ".txt")
        if ProcessInfo.processInfo.environment["MIRAGE_RECORD_SNAPSHOTS"] == "1" {
            try result.stdout.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(result.stdout == expected, "help for \(arguments) changed; rerun with MIRAGE_RECORD_SNAPSHOTS=1 if intended")
    }

    @Test func helpListsEveryTrainingOptionWithItsDefault() throws {
        let help = try Self.run(["train", "--help"]).stdout
        for option in ["--epochs <epochs>", "--steps <steps>", "--batch-size <batch-size>", "--lr <lr>", "--seed <seed>",
                       "--out <out>", "--resume", "--checkpoint-every", "--data-dir"] {
            #expect(help.contains(option), "missing \(option)")
        }
        for defaultValue in ["(default: 5)", "(default: 64)", "(default: 0)", "(default: 1000)"] {
            #expect(help.contains(defaultValue), "missing \(defaultValue)")
        }
        for model in ["ae", "dae", "vae", "gan", "dcgan"] { #expect(help.contains("  \(model) ")) }
    }

    @Test func badInputGivesAClearError() throws {
        let unknown = try Self.run(["train", "nosuchmodel"])
        #expect(unknown.status != 0)
        #expect(unknown.stderr.contains("unknown model 'nosuchmodel'; choose one of ae, dae, vae, gan, dcgan"))
        let missing = try Self.run(["sample", "/nonexistent/run"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("/nonexistent/run does not exist"))
        let noData = try Self.run(["train", "gan", "--data-dir", "/nonexistent/data", "--steps", "1"])
        #expect(noData.status != 0)
        #expect(noData.stderr.contains("/nonexistent/data"))
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
        let sample = try Self.run(["sample", run, "--count", "10", "--out", npy, "--grid", grid])
        #expect(sample.status == 0, "\(sample.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: npy))
        let header = String(decoding: bytes.prefix(128), as: UTF8.self)
        #expect(header.contains("'shape': (10, 1, 28, 28)") && header.contains("<f4"))
        #expect(bytes.count == 128 + 10 * 784 * 4)
        for file in ["config.json", "metrics.jsonl", "loss.png", "checkpoints/last.safetensors", "samples/epoch-001.png"] {
            #expect(FileManager.default.fileExists(atPath: run + "/" + file), "missing \(file)")
        }
        #expect(FileManager.default.fileExists(atPath: grid))
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

        try "echo 'No module named torch' >&2; exit 1".write(to: peer, atomically: true, encoding: .utf8)
        let failed = try Self.run(["bench", "vae", "--steps", "1", "--peer", "/bin/sh", "--peer-script", peer.path])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("the peer") && failed.stderr.contains("No module named torch"), "\(failed.stderr)")
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
