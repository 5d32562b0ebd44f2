import ArgumentParser
import Foundation
import MirageData
import MirageTensor

extension Mirage.DataCommand {
    /// `mirage data info`: what a dataset holds.
    struct Info: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a dataset's counts per split, image shape, value range and class histogram.",
            discussion: """
            For toy distributions: the modes and σ of the mixtures and statistics of 10,000 samples.

            Examples:
              mirage data info mnist
              mirage data info cifar10 --data-dir ~/datasets --split test --json
              mirage data info mnist --time-loader
            """
        )

        @OptionGroup var options: DatasetOptions

        @Option(help: "Which split to describe: train, test or all.")
        var split: SplitChoice = .all

        @Flag(help: "Print one JSON object instead of text.")
        var json = false

        @Flag(help: "Also time one shuffled epoch of the data loader (batches of 64, [-1, 1] scaling).")
        var timeLoader = false

        func run() throws {
            var report: [String: Any] = ["dataset": options.dataset]
            var lines: [String] = []
            if let toy = ToyDistributions.named(options.dataset) {
                describe(toy, into: &report, lines: &lines)
            } else {
                var splits: [String: Any] = [:]
                for s in split.splits {
                    let data = try options.load(s)
                    splits[s.rawValue] = describe(data, split: s, lines: &lines)
                    if timeLoader { splits[s.rawValue + "_loader"] = timeEpoch(data.primary, lines: &lines) }
                }
                report["splits"] = splits
            }
            if json {
                let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(lines.joined(separator: "\n"))
            }
        }

        private func shape(_ d: ImageDataset) -> String { "\(d.channels)×\(d.height)×\(d.width)" }

        private func describe(_ data: NamedDataset, split: DatasetSplit, lines: inout [String]) -> [String: Any] {
            let d = data.primary
            let range = d.pixelRange ?? 0...0
            var entry: [String: Any] = [
                "name": d.name, "count": d.count, "shape": d.sampleShape, "min": Int(range.lowerBound),
                "max": Int(range.upperBound), "mean": d.meanPixel, "classes": d.classHistogram,
            ]
            lines.append("\(d.name): \(d.count) images of \(shape(d)), bytes \(range.lowerBound)…\(range.upperBound), "
                         + String(format: "mean %.5f of full scale", d.meanPixel) + " (the loader scales to [0, 1] or [-1, 1])")
            if case let .paired(p) = data {
                entry["paired_with"] = ["name": p.b.name, "shape": p.b.sampleShape]
                lines.append("  paired with \(p.b.name): \(p.b.count) images of \(shape(p.b)) (domain B)")
            }
            let histogram = d.classHistogram.enumerated().map { "\($0.offset): \($0.element)" }
            lines.append("  \(d.classCount) classes: " + histogram.joined(separator: "  "))
            return entry
        }

        private func describe(_ toy: any ToyDistribution2D, into report: inout [String: Any], lines: inout [String]) {
            let n = 10_000
            let points = toy.sample(count: n, generator: RandomGenerator(seed: options.seed)).scalars
            let xs = stride(from: 0, to: points.count, by: 2).map { Double(points[$0]) }
            let ys = stride(from: 1, to: points.count, by: 2).map { Double(points[$0]) }
            func stats(_ v: [Double]) -> (mean: Double, std: Double, min: Double, max: Double) {
                let mean = v.reduce(0, +) / Double(v.count)
                let std = (v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)).squareRoot()
                return (mean, std, v.min()!, v.max()!)
            }
            let (sx, sy) = (stats(xs), stats(ys))
            report["samples"] = ["count": n, "seed": options.seed, "mean": [sx.mean, sy.mean], "std": [sx.std, sy.std],
                                 "x_range": [sx.min, sx.max], "y_range": [sy.min, sy.max]]
            if let mixture = toy as? GaussianMixture2D {
                report["modes"] = mixture.modes.map { [Double($0.x), Double($0.y)] }
                report["sigma"] = Double(mixture.sigma)
                lines.append("\(toy.name): equal mixture of \(mixture.modes.count) Gaussians, σ = \(mixture.sigma)")
                lines.append("  modes: " + mixture.modes.map { String(format: "(%.3f, %.3f)", $0.x, $0.y) }.joined(separator: " "))
            } else {
                lines.append("\(toy.name): 2-D toy distribution (no discrete modes)")
            }
            lines.append(String(format: "  %d samples (seed %llu): mean (%.3f, %.3f), std (%.3f, %.3f), x in [%.3f, %.3f], y in [%.3f, %.3f]",
                                n, options.seed, sx.mean, sy.mean, sx.std, sy.std, sx.min, sx.max, sy.min, sy.max))
        }

        /// Wall time of one full epoch through the loader: shuffled, batch 64, [-1, 1].
        private func timeEpoch(_ d: ImageDataset, lines: inout [String]) -> [String: Any] {
            let loader = DataLoader(d, batchSize: 64, seed: options.seed, transform: LoaderTransform(scaling: .symmetric))
            let start = DispatchTime.now().uptimeNanoseconds
            var samples = 0
            for batch in loader { samples += batch.count }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
            lines.append(String(format: "  loader: one epoch of %d batches (%d samples) in %.3f s, %.0f samples/s",
                                loader.batchesPerEpoch, samples, seconds, Double(samples) / seconds))
            return ["batches": loader.batchesPerEpoch, "seconds": seconds, "samples_per_second": Double(samples) / seconds]
        }
    }
}
