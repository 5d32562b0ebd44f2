import Foundation
import MirageData
import Testing

/// `mirage --help` and every command's help, against committed snapshots, and the per-model
/// options of `mirage train`.
@Suite struct HelpTests {
    /// Help texts are compared with committed snapshots. `MIRAGE_RECORD_SNAPSHOTS=1` rewrites them
    /// and fails the test, so that a recording run is never mistaken for a passing one.
    @Test(arguments: [["--help"], ["train", "--help"], ["train", "vae", "--help"], ["train", "gan", "--help"], ["train", "cyclegan", "--help"], ["translate", "--help"],
                      ["sample", "--help"], ["eval", "nll", "--help"], ["eval", "modes", "--help"], ["eval", "anomaly", "--help"], ["eval", "augment", "--help"], ["report", "--help"], ["import", "--help"], ["bench", "--help"], ["data", "export", "--help"]])
    func helpMatchesSnapshot(_ arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0)
        let file = CLI.snapshots.appendingPathComponent(arguments.filter { $0 != "--help" }.joined(separator: "-").ifEmpty("mirage") + ".txt")
        if ProcessInfo.processInfo.environment["MIRAGE_RECORD_SNAPSHOTS"] == "1" {
            try result.stdout.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("recorded \(file.lastPathComponent); rerun without MIRAGE_RECORD_SNAPSHOTS to check it")
            return
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(result.stdout == expected, "help for \(arguments) changed; rerun with MIRAGE_RECORD_SNAPSHOTS=1 if intended")
    }

    @Test func trainHelpListsEveryModelAndEachModelItsOwnOptions() throws {
        let list = try CLI.run(["train", "--help"]).stdout
        for model in ["ae", "dae", "vae", "gan", "dcgan"] { #expect(list.contains("  \(model) "), "missing \(model)") }
        let vae = try CLI.run(["train", "vae", "--help"]).stdout, gan = try CLI.run(["train", "gan", "--help"]).stdout
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
        let result = try CLI.run(["train", "gan", "--gaussian-decoder", "--steps", "1"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--gaussian-decoder is not an option of gan; it is an option of vae"), "\(result.stderr)")
        let noise = try CLI.run(["train", "vae", "--noise", "masking"])
        #expect(noise.status != 0 && noise.stderr.contains("--noise is not an option of vae; it is an option of dae"), "\(noise.stderr)")
        let nowhere = try CLI.run(["train", "vae", "--no-such-option"])
        #expect(nowhere.status != 0 && nowhere.stderr.contains("Unknown option '--no-such-option'"), "\(nowhere.stderr)")
    }

}
