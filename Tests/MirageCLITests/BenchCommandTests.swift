import Foundation
import MirageData
import Testing

/// `mirage bench` against a stand-in peer.
@Suite struct BenchCommandTests {
    /// `mirage bench` with a stand-in peer (a shell script printing what the PyTorch peer prints):
    /// the table and the JSON carry both sides and their ratio; a failing peer names itself.
    @Test func benchAgainstAPeer() throws {
        let dir = CLI.temporaryDirectory("bench")
        let peer = dir.appendingPathComponent("peer.sh")
        // Called as: sh peer.sh MODEL --steps N --threads T
        try """
        echo "{\\"model\\": \\"$1\\", \\"ms_per_step\\": 1000.0, \\"mean_ms_per_step\\": 1000.0, \\"peak_rss_mb\\": 700.0}"
        """.write(to: peer, atomically: true, encoding: .utf8)
        let json = dir.appendingPathComponent("bench.json")
        let result = try CLI.run(["bench", "vae", "--steps", "2", "--peer", "/bin/sh", "--peer-script", peer.path,
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
        let portable = try CLI.run(["bench", "vae", "--steps", "2", "--json", json.path],
                                    environment: ["MIRAGE_INSTRUCTION_SET": "portable"])
        #expect(portable.status == 0, "\(portable.stderr)")
        let portableReport = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        #expect(portableReport?["instruction_set"] as? String == "portable")
        #expect(((portableReport?["models"] as? [[String: Any]])?.first?["mirage_ms_per_step"] as? Double ?? 0) > 0)

        try "echo 'No module named torch' >&2; exit 1".write(to: peer, atomically: true, encoding: .utf8)
        let failed = try CLI.run(["bench", "vae", "--steps", "1", "--peer", "/bin/sh", "--peer-script", peer.path])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("the peer") && failed.stderr.contains("No module named torch"), "\(failed.stderr)")
    }

    /// `--profile`: the VAE's step op by op, printed and in the JSON; the optimizer's step is a
    /// row, and the rows account for nearly all of the step.
    @Test func profileListsTheStepsOps() throws {
        let dir = CLI.temporaryDirectory("bench-profile")
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("bench.json")
        let result = try CLI.run(["bench", "vae", "--steps", "2", "--rounds", "1", "--profile", "--json", json.path])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("vae: top ops by time per step"), "\(result.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: json)) as? [String: Any]
        let row = try #require((report?["models"] as? [[String: Any]])?.first)
        let profile = try #require(row["mirage_profile"] as? [[String: Any]])
        let ops = Dictionary(uniqueKeysWithValues: profile.map { ($0["op"] as? String ?? "?", $0) })
        #expect(ops["Adam step"]?["calls"] as? Double == 1, "\(ops.keys.sorted())")
        #expect(ops["matmul"] != nil && ops["matmul backward"] != nil, "\(ops.keys.sorted())")
        let inOps = profile.compactMap { $0["ms"] as? Double }.reduce(0, +)
        let mean = row["mirage_mean_ms_per_step"] as? Double ?? 0
        #expect(inOps > 0.5 * mean && inOps <= 1.01 * mean, "\(inOps) ms in ops of a \(mean) ms step")
    }
}
