import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval modes`: mode coverage of a run's samples, or of samples in a .npy file.
    struct Modes: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "modes",
            abstract: "Mode coverage: modes captured, high-quality share and KL to uniform on ring8, grid25 or stacked-mnist.",
            discussion: """
            The protocol of VEEGAN and PacGAN. On ring8 and grid25: --count samples (2,500), \
            each assigned to its nearest mode by σ-normalised distance and high quality within \
            3σ; a mode is captured by one high-quality sample; KL(histogram of high-quality \
            samples ‖ uniform). On stacked-mnist: --count samples (26,000), the judge reads each \
            channel as a digit, the triple is the mode (1,000); a mode is captured by one sample; \
            high quality means all three digits read with probability ≥ 0.5; KL over all samples.

            SOURCE is a run (sampled with --seed) or a .npy of samples: [N, 2] points, or \
            [N, 3, 28, 28] images in [0, 1]. --dataset defaults to the run's. The mode histogram \
            is written as a bar chart (an empty mode is a red tick) to --histogram, by default \
            modes-<dataset>.png in the run folder or beside the .npy.

            Examples:
              mirage eval modes runs/pacgan4 --dataset grid25
              mirage eval modes runs/pacdcgan2 --json
              mirage eval modes samples.npy --dataset ring8 --histogram ring8-modes.png
            """
        )

        @Argument(help: ArgumentHelp("A run folder or checkpoint, or a .npy of samples.", valueName: "source"))
        var source: String

        @Option(help: ArgumentHelp("ring8, grid25 or stacked-mnist (default: the run's dataset).", valueName: "name"))
        var dataset: String?

        @Option(help: "Samples to draw or read (default 2,500 for 2-D mixtures, 26,000 for stacked-mnist).")
        var count: Int?

        @Option(help: "Seed of a run's samples.")
        var seed: UInt64 = 0

        @Option(help: "Judge weights file or folder for stacked-mnist (default: Data/judge/mnist-judge.safetensors, searched).")
        var judge: String?

        @Option(help: ArgumentHelp("Where to write the mode histogram as a PNG.", valueName: "png"))
        var histogram: String?

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        static let datasets = ["ring8", "grid25", "stacked-mnist"]

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            if let count, count <= 0 { throw ValidationError("--count must be positive, got \(count)") }
            if let dataset, !Self.datasets.contains(dataset) {
                throw ValidationError("--dataset \(dataset) has no known modes; mode coverage is for \(Self.datasets.joined(separator: ", "))")
            }
        }

        func run() throws {
            threads.apply()
            let isFile = source.hasSuffix(".npy")
            let loaded = isFile ? nil : try LoadedRun(source)
            guard let name = dataset ?? loaded?.dataset else {
                throw ValidationError("give --dataset (\(Self.datasets.joined(separator: ", "))) for the samples in \(source)")
            }
            guard Self.datasets.contains(name) else {
                throw ValidationError("\(source) trained on \(name), which has no known modes; mode coverage is for \(Self.datasets.joined(separator: ", ")) (or pass --dataset)")
            }
            let stacked = name == "stacked-mnist"
            let n = count ?? (stacked ? 26_000 : 2500)
            let wanted = stacked ? [3, 28, 28] : [2]
            let started = Date()
            var samples: Tensor
            if let loaded {
                guard let sampler = loaded.model as? any Sampling else {
                    throw MissingCapability(subject: "\(source) (\(loaded.kind))", capability: "sampling from noise",
                                            modelsWithIt: ModelRegistry.names { $0 is any Sampling.Type })
                }
                loaded.model.setTraining(false)
                samples = sampler.sample(count: n, generator: RandomGenerator(seed: seed))
                guard Array(samples.shape.dropFirst()) == wanted else {
                    throw ValidationError("\(source) draws samples of shape \(Array(samples.shape.dropFirst())), but \(name) has samples of shape \(wanted)")
                }
            } else {
                samples = try NPY.read(source).tensor
                guard samples.rank == wanted.count + 1, Array(samples.shape.dropFirst()) == wanted else {
                    throw ValidationError("\(source) holds an array of shape \(samples.shape); \(name) samples are [N, \(wanted.map(String.init).joined(separator: ", "))]")
                }
                guard samples.shape[0] >= n || count == nil else {
                    throw ValidationError("\(source) holds \(samples.shape[0]) samples, fewer than --count \(n)")
                }
                guard samples.shape[0] > 0 else { throw ValidationError("\(source) holds no samples") }
                samples = samples.sliced(axis: 0, 0..<min(n, samples.shape[0]))
                guard samples.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) else { throw ValidationError("\(source) holds NaN or infinite values") }
            }
            let report: ModeCoverage.Report
            if stacked {
                report = StackedMNISTModes.evaluate(samples: samples, judge: try MNISTJudge.load(path: judge))
            } else {
                report = ModeCoverage.evaluate(samples: samples, mixture: name == "ring8" ? .ring8() : .grid25())
            }
            let file = "modes-\(name).png"
            let plot = histogram ?? loaded.map { $0.folder.root.appendingPathComponent(file).path }
                ?? ((source as NSString).deletingPathExtension as String) + "-" + file
            try PNG.write(BarChart.render(report.modeHistogram), to: plot)
            let seconds = Date().timeIntervalSince(started)
            let object: [String: Any] = [
                "dataset": name, "samples": samples.shape[0], "modes_captured": report.modesCaptured, "modes": report.modeCount,
                "high_quality_share": report.highQualityShare,
                "kl_to_uniform": report.klToUniform.isFinite ? report.klToUniform : NSNull(),
                "histogram": report.modeHistogram, "histogram_png": plot,
            ]
            try loaded?.folder.recordEvaluation("modes-\(name)", object)
            if json {
                let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                let rows: [(String, String)] = [
                    ("samples", "\(samples.shape[0]) \(loaded != nil ? "drawn from \(source) (seed \(seed))" : "read from \(source)")"),
                    ("modes captured", "\(report.modesCaptured) of \(report.modeCount)"),
                    ("high-quality share", String(format: "%.4f", report.highQualityShare)),
                    ("KL to uniform", report.klToUniform.isFinite ? String(format: "%.4f nats", report.klToUniform) : "∞ (no high-quality sample)"),
                    ("histogram", plot),
                ]
                let width = rows.map(\.0.count).max()!
                print(rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }.joined(separator: "\n")
                      + String(format: "\n(%.1f s)", seconds))
            }
        }
    }
}
