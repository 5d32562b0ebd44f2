import Foundation
import MirageData
import Testing

/// Every command the README, the guide (docs/guide/) and `scripts/demo` show, run as a user runs
/// it: the `mirage` binary in one scratch folder, page after page in reading order, so that each
/// page's runs are there for the commands after them. Only their length is cut (steps, counts,
/// pairs: ``shortened(_:)``), and each runs on one thread unless it names its own, so that the
/// tour takes a minute or two; every other option is the page's.
/// A command that cannot run here is listed in ``notRun`` with its reason, and a command that is
/// neither run nor listed, or a listed one no page shows any more, fails the test.
@Suite struct DocumentedCommandTests {
    /// A command as a page shows it.
    struct Shown: CustomStringConvertible {
        var page: String
        var line: Int
        /// The command with its comment removed and `.build/release/` dropped.
        var text: String
        /// For a command shown as a terminal session (`$ mirage …` and what it prints), the
        /// lines it prints.
        var prints: [String] = []
        var description: String { "\(page):\(line): \(text)" }

        var words: [String] { text.split(separator: " ").map(String.init) }
        /// The launcher before `mirage` (`mpirun -np 2`), if any.
        var launcher: [String] { Array(words.prefix { $0 != "mirage" }) }
        /// The arguments after `mirage`; `nil` for a command that is not `mirage`'s.
        var arguments: [String]? {
            let w = words
            guard let at = w.firstIndex(of: "mirage") else { return nil }
            return Array(w[(at + 1)...])
        }
    }

    /// The commands not run here, by how they start, and why. A test names what covers them.
    static let notRun: [(prefix: String, reason: String)] = [
        ("scripts/bootstrap", "installs system packages and builds: CI does the same steps on a clean clone (.ci/run)"),
        ("swift test", "the command that runs these tests"),
        ("tensorboard", "TensorBoard is not part of Mirage; TensorBoardEventFileTests checks the files it reads"),
        ("scripts/fuzz", "a libFuzzer build and 60 s per reader; TrainAndSampleTests.fuzzTargetsReplayTheirCorpus replays the committed corpus"),
        ("mirage-fuzz", "FILE stands for a corpus file or a crash; TrainAndSampleTests.fuzzTargetsReplayTheirCorpus replays the corpus"),
        ("scripts/soak", "20,000 DCGAN steps, about an hour (BENCHMARKS.md has its numbers)"),
        ("mirage eval train-judge", "3 epochs of the judge over 60,000 digits, 141 s on 2 cores; JudgeTrainerTests train it on a subset"),
        ("mirage bench --peer", "needs PyTorch in a virtualenv; BenchCommandTests run the peer's protocol"),
        ("mpirun --host a,b", "needs two machines named a and b; DistributedTrainingTests.twoHostsTrainTheOneProcessVAE trains across two network namespaces"),
    ]

    /// The pages in reading order: the demo, the README, then the guide (a page's runs serve
    /// the pages after it; a page not named here comes last).
    static let pageOrder = ["scripts/demo", "README.md", "docs/guide/data.md", "docs/guide/autoencoders-and-vaes.md",
                            "docs/guide/gan-family.md", "docs/guide/translation.md", "docs/guide/diffusion.md",
                            "docs/guide/flows.md", "docs/guide/autoregressive.md", "docs/guide/stylegan.md",
                            "docs/guide/mode-collapse.md", "docs/guide/uses.md", "docs/guide/evaluation.md",
                            "docs/guide/cli.md", "docs/guide/distributed.md", "docs/guide/guarantees.md"]

    static func pages() -> [String] {
        let guide = (try? FileManager.default.contentsOfDirectory(atPath: DocumentationLinkTests.root.appendingPathComponent("docs/guide").path)) ?? []
        let rest = guide.filter { $0.hasSuffix(".md") }.map { "docs/guide/" + $0 }.filter { !pageOrder.contains($0) }.sorted()
        return pageOrder + rest
    }

    /// The commands of a page: each line of its ```sh blocks (of a script: each line that runs
    /// `.build/release/mirage`), without its comment; each `$ command` of a block that shows a
    /// terminal, with the lines it prints; in the README's model table, each `mirage train` in
    /// backticks, once without and once with an optional `[--flag]`. A `mirage` command in a
    /// block not marked sh is recorded as an issue, so that none is left out unnoticed.
    static func commands(in page: String) throws -> [Shown] {
        let text = try String(contentsOf: DocumentationLinkTests.root.appendingPathComponent(page), encoding: .utf8)
        var found: [Shown] = []
        var inShell = page.hasPrefix("scripts/"), inBlock = false, session: Shown?
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if let shown = session, line.isEmpty || line.hasPrefix("```") || line.hasPrefix("$ ") {
                found.append(shown)
                session = nil
            }
            if line.hasPrefix("```") { inBlock.toggle(); inShell = inBlock && line == "```sh"; continue }
            if page.hasPrefix("scripts/"), !line.hasPrefix(".build/release/mirage") { continue }
            if inBlock, line.hasPrefix("$ ") {
                session = Shown(page: page, line: index + 1, text: Self.withoutComment(String(line.dropFirst(2))))
            } else if session != nil {
                session!.prints.append(line)
            } else if inBlock, !inShell, raw.hasPrefix("mirage ") || raw.hasPrefix(".build/release/mirage") {
                Issue.record("\(page):\(index + 1): a command in a block not marked ```sh")
            } else if inShell {
                let command = Self.withoutComment(line)
                if !command.isEmpty { found.append(Shown(page: page, line: index + 1, text: command)) }
            } else if page == "README.md", line.hasPrefix("|") {
                for cell in line.split(separator: "|") {
                    let code = cell.trimmingCharacters(in: .whitespaces)
                    guard code.hasPrefix("`mirage train"), code.hasSuffix("`") else { continue }
                    let inner = String(code.dropFirst().dropLast())
                    let plain = inner.replacingOccurrences(of: #" \[[^\]]*\]"#, with: "", options: .regularExpression)
                    found.append(Shown(page: page, line: index + 1, text: plain))
                    if plain != inner {
                        found.append(Shown(page: page, line: index + 1,
                                           text: inner.replacingOccurrences(of: "[", with: "").replacingOccurrences(of: "]", with: "")))
                    }
                }
            }
        }
        return found
    }

    /// A shell line without its `# comment` and `.build/release/`, spaces squeezed.
    static func withoutComment(_ line: String) -> String {
        let code = line.range(of: #"(^|\s)#"#, options: .regularExpression).map { String(line[..<$0.lowerBound]) } ?? line
        return code.replacingOccurrences(of: ".build/release/", with: "").split(separator: " ").joined(separator: " ")
    }

    /// The command with its length cut: training to 2 steps (4 when it resumes with a length),
    /// fewer samples, test images, pairs and seeds; a `--resume` without a length keeps none,
    /// as a user's does.
    static func shortened(_ arguments: [String]) -> [String] {
        var a = arguments
        func value(_ option: String) -> Int? { a.firstIndex(of: option).flatMap { $0 + 1 < a.count ? Int(a[$0 + 1]) : nil } }
        func set(_ option: String, _ new: Int, adding: Bool = false) {
            if let at = a.firstIndex(of: option), at + 1 < a.count { a[at + 1] = String(new) } else if adding { a += [option, String(new)] }
        }
        func remove(_ option: String) {
            if let at = a.firstIndex(of: option) { a.removeSubrange(at...min(at + 1, a.count - 1)) }
        }
        let command = a.prefix { !$0.hasPrefix("-") }.prefix(2).joined(separator: " ")
        switch a.first {
        case "train":
            let resume = a.contains("--resume"), length = a.contains("--steps") || a.contains("--epochs")
            remove("--epochs")
            if !resume || length { set("--steps", resume ? 4 : 2, adding: true) }
        case "sample":
            set("--count", min(value("--count") ?? 8, 8), adding: true)
        case "bench":
            set("--steps", 2, adding: true)
            set("--size", 64)
        default:
            switch command {
            case "eval nll": set("--count", 20, adding: true); set("--samples", 2)
            case "eval samples":  // real or noise images: 50; a file of samples holds 8
                if a.contains("--real") || a.contains("--noise") { set("--count", 50, adding: true) } else { set("--count", 8) }
            case "eval anomaly": set("--count", 200, adding: true); set("--samples", 2); set("--encoder-steps", 5)
            case "eval augment": set("--synthetic", 200, adding: true); set("--seeds", 1); set("--epochs", 1, adding: true)
            case "eval modes": set("--count", 200, adding: !(a.count > 2 && a[2].hasSuffix(".npy")))
            case "eval mixing": set("--count", 8, adding: true)
            case "eval ppl": set("--pairs", 8, adding: true)
            case "eval reconstruction", "eval translation": set("--count", 50, adding: true)
            default: break
            }
        }
        return a
    }

    /// Inputs that come from outside the pages' commands: what the page says the user brings.
    static func prepare(_ arguments: [String], in folder: URL) throws {
        let path = { (name: String) in folder.appendingPathComponent(name).path }
        for word in arguments where !FileManager.default.fileExists(atPath: path(word)) {
            switch word {
            case "z.npy":  // "your own noise: z.npy float32 N×100"
                let z = (0..<400).map { Float(sin(Double($0) * 12.9898) * 1.5) }
                try NPY.write(NPYArray(shape: [4, 100], values: .float32(z)), to: path(word))
            case "g.safetensors":  // the generator's state_dict saved from PyTorch, under "generator."
                try CLI.keepTensors(from: path("runs/dcgan/checkpoints/last.safetensors"), prefix: "generator.", to: path(word))
            case "samples.npy":  // "what mirage sample writes"
                try check(CLI.run(["sample", "runs/vae", "--count", "8", "--out", "samples.npy"], directory: folder), "samples.npy")
            case "stacked.npy":  // "[N, 3, 28, 28] samples"
                try check(CLI.run(["sample", "runs/dcgan-stacked", "--count", "8", "--out", "stacked.npy"], directory: folder), "stacked.npy")
            case "colored/":  // "a folder in": PNGs of coloured digits
                try check(CLI.run(["data", "export", "mnist-colored", "--split", "test", "--count", "4", "--domain", "a",
                                   "--out", "colored.npy"], directory: folder), "colored.npy")
                try FileManager.default.createDirectory(atPath: path(word), withIntermediateDirectories: true)
                for (i, image) in ImageGrid.separate(try NPY.read(path("colored.npy")).tensor).enumerated() {
                    try PNG.write(image, to: path("colored/\(i).png"))
                }
            default: break
            }
        }
    }

    static func check(_ result: CLI.Result, _ what: String) throws {
        guard result.status == 0 else { throw CLIFailure(description: "\(what): exit \(result.status)\n\(result.stderr.suffix(1500))") }
    }

    struct CLIFailure: Error, CustomStringConvertible { var description: String }

    @Test func everyShownCommandRunsOrIsListed() throws {
        let folder = CLI.temporaryDirectory("documented-commands")
        defer { try? FileManager.default.removeItem(at: folder) }
        let shown = try Self.pages().flatMap(Self.commands(in:))
        #expect(shown.count > 100, "found only \(shown.count) commands: has the pages' format changed?")
        var ran = Set<String>(), failures: [String] = [], unlisted: [String] = []
        var used = Set<String>(), seconds: [(Double, String)] = []
        for command in shown {
            if let entry = Self.notRun.first(where: { command.text.hasPrefix($0.prefix) }) {
                used.insert(entry.prefix)
                continue
            }
            guard var arguments = command.arguments, command.launcher.isEmpty || command.launcher.first == "mpirun" else {
                unlisted.append(command.description)
                continue
            }
            arguments = Self.shortened(arguments)
            // A command shown on several pages (for longer, its options in another order) runs
            // once; one into another folder runs again, since later commands read that folder.
            guard ran.insert((command.launcher + arguments.sorted()).joined(separator: " ")).inserted else { continue }
            // A new run into a folder an earlier page trained: the user starts it again.
            if arguments.first == "train", arguments.count > 1, !arguments.contains("--resume") {
                let out = arguments.firstIndex(of: "--out").map { arguments[$0 + 1] } ?? "runs/\(arguments[1])"
                try? FileManager.default.removeItem(at: folder.appendingPathComponent(out))
            }
            try Self.prepare(arguments, in: folder)
            var launcher = command.launcher
            if launcher.first == "mpirun" { launcher.insert(contentsOf: ["--allow-run-as-root", "--oversubscribe"], at: 1) }
            let started = Date()
            // One thread each (a command's own --threads wins): the other suites run beside this
            // one, and two threads on a busy core wait on each other in every parallel region
            // (PixelCNN's pixel-by-pixel sampling measured 100× slower that way).
            let result = try CLI.run(arguments, environment: ["OMP_NUM_THREADS": "1"], launcher: launcher, directory: folder)
            seconds.append((Date().timeIntervalSince(started), command.text))
            if !command.prints.isEmpty {
                let missing = command.prints.filter { !(result.stdout + result.stderr).contains($0) }
                if !missing.isEmpty { failures.append("\(command)\n  does not print: \(missing)\n  printed: \(result.stderr)") }
            } else if result.status != 0 {
                failures.append("\(command)\n  ran: mirage \(arguments.joined(separator: " "))\n  exit \(result.status): \(result.stderr.suffix(800))")
            }
        }
        let total = seconds.map(\.0).reduce(0, +)
        print("documented commands: \(seconds.count) run in \(Int(total)) s; the slowest:\n"
              + seconds.sorted { $0.0 > $1.0 }.prefix(12).map { String(format: "%6.1f s  ", $0.0) + $0.1 }.joined(separator: "\n"))
        #expect(failures.isEmpty, "documented commands that failed:\n\(failures.joined(separator: "\n"))")
        #expect(unlisted.isEmpty, "shown but neither run nor listed in notRun:\n\(unlisted.joined(separator: "\n"))")
        let stale = Self.notRun.map(\.prefix).filter { !used.contains($0) }
        #expect(stale.isEmpty, "listed in notRun but shown nowhere: \(stale)")
    }

    @Test func shorteningCutsOnlyTheLength() {
        #expect(Self.shortened(["train", "vae", "--epochs", "10", "--batch-size", "128", "--out", "runs/vae"])
            == ["train", "vae", "--batch-size", "128", "--out", "runs/vae", "--steps", "2"])
        #expect(Self.shortened(["train", "dcgan", "--out", "runs/dcgan", "--resume", "--steps", "6000"])
            == ["train", "dcgan", "--out", "runs/dcgan", "--resume", "--steps", "4"])
        #expect(Self.shortened(["train", "vae", "--out", "runs/vae", "--resume"]) == ["train", "vae", "--out", "runs/vae", "--resume"])
        #expect(Self.shortened(["sample", "runs/ddpm", "--sampler", "ddpm", "--count", "64"]) == ["sample", "runs/ddpm", "--sampler", "ddpm", "--count", "8"])
        #expect(Self.shortened(["eval", "nll", "runs/ddpm", "--count", "1000", "--samples", "100"])
            == ["eval", "nll", "runs/ddpm", "--count", "20", "--samples", "2"])
        #expect(Self.shortened(["eval", "samples", "dcgan.npy"]) == ["eval", "samples", "dcgan.npy"])
        #expect(Self.withoutComment("  .build/release/mirage report runs/vae   # one run's page") == "mirage report runs/vae")
    }
}
