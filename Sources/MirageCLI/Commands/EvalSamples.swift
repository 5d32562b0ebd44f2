import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval samples`: the sample-quality report of a `.npy` file of generated digits.
    struct Samples: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "samples",
            abstract: "Score MNIST-like samples with the judge against real MNIST images.",
            discussion: """
            The samples are float32 N×1×28×28 values in [0, 1] (what `mirage sample` writes). Instead of a
            file, --real scores real MNIST images (the floor every generator is measured against) and
            --noise scores uniform noise (the other end). Reported: Fréchet distance of the judge's
            features (lower is better), share of confident predictions (max p ≥ 0.9), classes covered,
            KL of the class histogram to uniform, classifier score (Inception Score analogue, 1 to 10),
            and k-NN precision and recall (k = 3). Compare numbers at equal --count (10000 by default
            for --real and --noise).

            Examples:
              mirage eval samples runs/dcgan/samples.npy
              mirage eval samples samples.npy --count 10000 --json
              mirage eval samples --real mnist-train --count 10000
              mirage eval samples --noise --save noise.npy
            """
        )

        @Argument(help: ArgumentHelp("A float32 .npy file of N×1×28×28 samples in [0, 1].", valueName: "file.npy"))
        var file: String?

        @Option(help: ArgumentHelp("Score real images of this MNIST split instead of a file: mnist-train or mnist-test.",
                                   valueName: "split"))
        var real: MNISTSplit?

        @Flag(help: "Score uniform noise images instead of a file.")
        var noise = false

        @Option(help: ArgumentHelp("The real images to compare with: mnist-test or mnist-train.", valueName: "split"))
        var against: MNISTSplit = .mnistTest

        @Option(help: "Number of samples to score (default: all in the file; 10000 for --real and --noise).")
        var count: Int?

        @Option(help: "Seed choosing the --real images and drawing the --noise images.")
        var seed: UInt64 = 0

        @Option(help: "Judge weights file or folder (default: Data/judge/mnist-judge.safetensors, searched).")
        var judge: String?

        @Option(help: "Folder holding MNIST (default: searched, see `mirage data`).")
        var dataDir: String?

        @Option(help: "Also write the scored images to this .npy file.")
        var save: String?

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        enum MNISTSplit: String, ExpressibleByArgument, CaseIterable {
            case mnistTest = "mnist-test", mnistTrain = "mnist-train"
            var split: DatasetSplit { self == .mnistTest ? .test : .train }
        }

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            let sources = [file != nil, real != nil, noise].filter { $0 }.count
            guard sources == 1 else {
                throw ValidationError("give exactly one of: a samples file, --real SPLIT, --noise")
            }
            if let count, count < 4 { throw ValidationError("--count must be at least 4, got \(count)") }
        }

        func run() throws {
            threads.apply()
            let started = Date()
            let judgeModel = try MNISTJudge.load(path: judge)
            let reference = try SampleQualityReference.mnist(split: against.split, judge: judgeModel, dataDirectory: dataDir)
            let report: SampleQualityReport
            if let file {
                // A file is read and judged a chunk at a time: only the judge's features of every
                // sample are held, never all the images.
                var writer: NPYWriter?
                report = try SampleQuality.evaluate(file: file, count: count, judge: judgeModel, reference: reference) { images in
                    guard let save else { return }
                    if writer == nil { writer = try NPYWriter(path: save, shape: [try SampleQuality.sampleCount(file, count: count)] + MNISTJudge.imageShape) }
                    try writer!.append(images)
                }
                if let writer, let save {
                    try writer.finish()
                    if !json { print("wrote \(writer.shape[0]) images to \(save)") }
                }
            } else {
                let samples = try loadSamples()
                if let save {
                    try NPY.write(NPYArray(samples), to: save)
                    if !json { print("wrote \(samples.shape[0]) images to \(save)") }
                }
                report = SampleQuality.evaluate(samples: samples, judge: judgeModel, reference: reference)
            }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(table(report, source: sourceName, seconds: Date().timeIntervalSince(started)))
            }
        }

        private var sourceName: String {
            if let file { return file }
            if let real { return "\(real.rawValue) (real images, seed \(seed))" }
            return "uniform noise (seed \(seed))"
        }

        private func loadSamples() throws -> Tensor {
            let n = count ?? 10_000
            if let real {
                let data = try ImageDataset.mnist(split: real.split, dataDirectory: dataDir)
                guard n <= data.count else {
                    throw ValidationError("--count \(n) exceeds the \(data.count) images of \(real.rawValue)")
                }
                var order = Array(0..<data.count)
                RandomGenerator(seed: seed).shuffle(&order)
                return data.tensor(indices: Array(order.prefix(n)))
            }
            return Tensor.rand([n] + MNISTJudge.imageShape, generator: RandomGenerator(seed: seed))
        }

        private func table(_ r: SampleQualityReport, source: String, seconds: Double) -> String {
            let rows: [(String, String)] = [
                ("samples", "\(r.sampleCount) from \(source)"),
                ("reference", "\(r.reference) (\(r.referenceCount) images)"),
                ("Fréchet distance", String(format: "%.3f", r.frechetDistance)),
                ("confident share", String(format: "%.4f  (max p ≥ %.2f)", r.confidentShare, r.confidenceThreshold)),
                ("classes covered", "\(r.classesCovered) of \(r.classHistogram.count)"),
                ("class histogram", r.classHistogram.map(String.init).joined(separator: " ")),
                ("class KL to uniform", String(format: "%.4f nats", r.classKLToUniform)),
                ("classifier score", String(format: "%.3f  (1 to %d)", r.classifierScore, r.classHistogram.count)),
                ("precision", String(format: "%.4f  (k = %d, first %d samples)", r.precision, r.neighbours, r.neighbourSampleCount)),
                ("recall", String(format: "%.4f  (k = %d, first %d samples)", r.recall, r.neighbours, r.neighbourSampleCount)),
            ]
            let width = rows.map(\.0.count).max()!
            return rows.map { $0.0.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.1 }
                .joined(separator: "\n") + String(format: "\n(%.1f s)", seconds)
        }
    }
}
