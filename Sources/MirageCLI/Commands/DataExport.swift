import ArgumentParser
import Foundation
import MirageData
import MirageTensor

extension Mirage.DataCommand {
    /// `mirage data export`: a dataset as `.npy` files, for `translate`, `eval` and Python.
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a dataset's images as float32 N×C×H×W in [0, 1] (.npy), and its labels as int64.",
            discussion: """
            The first COUNT samples of the split, in file order. For a derived domain (mnist-edges, \
            ...) --domain picks the derived images (a) or the digits they came from (b). For a 2-D \
            toy, COUNT points drawn with --seed as float32 N×2.

            Examples:
              mirage data export mnist --split test --count 1000 --out digits.npy --labels labels.npy
              mirage data export mnist-edges --split test --count 100 --domain a --out a.npy --labels y.npy
              mirage data export ring8 --count 5000 --out ring8.npy
            """
        )

        /// Which side of a paired dataset to write.
        enum Domain: String, ExpressibleByArgument, CaseIterable {
            case a, b
        }

        @OptionGroup var options: DatasetOptions

        @Option(help: "Which split: train, test or all.")
        var split: SplitChoice = .test

        @Option(help: "Number of samples (default: the whole split; for toys, 10000).")
        var count: Int?

        @Option(help: "The .npy file for the images (or points).")
        var out: String

        @Option(help: "Also write the labels here, as int64 N.")
        var labels: String?

        @Option(help: "For a paired dataset: a (the derived images) or b (the images they pair with).")
        var domain: Domain = .a

        func validate() throws {
            if let count { guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") } }
        }

        func run() throws {
            if let toy = ToyDistributions.named(options.dataset) {
                let n = count ?? 10_000
                guard n <= 10_000_000 else { throw ValidationError("--count \(n) is too many points; use at most 10000000") }
                let points = toy.sample(count: n, generator: RandomGenerator(seed: options.seed))
                try NPY.write(NPYArray(points), to: out)
                if let labels { try NPY.write(NPYArray(shape: [n], values: .int64(Array(repeating: 0, count: n))), to: labels) }
                print("wrote \(out): \(n) points of \(toy.name) (seed \(options.seed)), float32 \(n)×2")
                return
            }
            var images: ImageDataset?
            for s in split.splits {
                let part: ImageDataset
                switch try options.load(s) {
                case let .images(d): part = d
                case let .paired(p): part = domain == .a ? p.a : p.b
                }
                images = images.map { $0.appending(part) } ?? part
            }
            guard let data = images else { return }
            let n = count ?? data.count
            guard n <= data.count else {
                throw ValidationError("--count \(n) exceeds the \(data.count) samples of \(options.dataset) (\(split.rawValue)); pass a smaller --count")
            }
            let tensor = data.tensor(indices: Array(0..<n))
            try NPY.write(NPYArray(tensor), to: out)
            let shape = tensor.shape.map(String.init).joined(separator: "×")
            print("wrote \(out): \(data.name), float32 \(shape) in [0, 1]")
            if let labels {
                try NPY.write(NPYArray(shape: [n], values: .int64(data.labels.prefix(n).map(Int64.init))), to: labels)
                print("wrote \(labels): int64 \(n) labels in 0..<\(data.classCount)")
            }
        }
    }
}
