import ArgumentParser
import Foundation
import MirageData
import MirageTensor

extension Mirage.DataCommand {
    /// `mirage data show`: a picture of a dataset.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a PNG grid of samples (or, for toy distributions, a scatter plot).",
            discussion: """
            Image datasets: COUNT samples chosen at random with --seed (or the first COUNT with --first), NROW per row. Derived domains (mnist-edges, ...) show each derived image followed by its digit. Toys: a scatter plot of COUNT points with the modes marked.

            Examples:
              mirage data show mnist --count 64 --out grid.png
              mirage data show mnist-colored --split test --seed 3 --out colored.png
              mirage data show grid25 --count 5000 --out grid25.png
            """
        )

        @OptionGroup var options: DatasetOptions

        @Option(help: "Which split to draw from: train, test or all.")
        var split: SplitChoice = .train

        @Option(help: "Number of images (or, for toys, points) to draw.")
        var count = 64

        @Option(help: "The PNG file to write.")
        var out = "grid.png"

        @Flag(help: "Show the first COUNT samples in file order instead of a random choice.")
        var first = false

        @Option(help: "Images per row of the grid.")
        var nrow = 8

        @Option(help: "Pixels of black padding between and around the images.")
        var padding = 2

        @Option(help: "Width and height of a toy scatter plot, in pixels.")
        var size = 512

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
            guard nrow > 0 else { throw ValidationError("--nrow must be positive, got \(nrow)") }
            guard padding >= 0 else { throw ValidationError("--padding must not be negative, got \(padding)") }
            guard (16...8192).contains(size) else { throw ValidationError("--size must lie in 16...8192, got \(size)") }
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("--out: folder \(folder) does not exist; create it or choose another path")
            }
        }

        func run() throws {
            if let toy = ToyDistributions.named(options.dataset) {
                guard count <= 10_000_000 else { throw ValidationError("--count \(count) is too many points; use at most 10000000") }
                let points = toy.sample(count: count, generator: RandomGenerator(seed: options.seed))
                let modes = (toy as? GaussianMixture2D)?.modes ?? []
                try PNG.write(ScatterPlot.render(points, modes: modes, size: size), to: out)
                print("wrote \(out): \(count) points of \(toy.name) (seed \(options.seed)), \(size)×\(size) pixels")
                return
            }
            var loaded = try split.splits.map { try options.load($0) }
            let combined = loaded.removeFirst()
            let data = try loaded.reduce(combined) { try append($0, $1) }
            let available = data.primary.count
            guard count <= available else {
                throw ValidationError("--count \(count) exceeds the \(available) samples of \(options.dataset) (\(split.rawValue)); pass a smaller --count")
            }
            var order = Array(0..<available)
            if !first { RandomGenerator.derived(seed: options.seed).shuffle(&order) }
            let chosen = Array(order.prefix(count))
            let images: Tensor
            switch data {
            case let .images(d):
                images = d.tensor(indices: chosen)
            case let .paired(p):
                images = interleave(p, chosen)
            }
            let grid = try ImageGrid.save(images, to: out, nrow: nrow, padding: padding)
            let what: String
            if case let .paired(p) = data {
                what = "\(count) pairs of \(p.a.name) and \(p.b.name)"
            } else {
                what = "\(count) images of \(data.primary.name)"
            }
            print("wrote \(out): \(what), \(grid.width)×\(grid.height) pixels")
        }

        /// Both splits as one dataset.
        private func append(_ x: NamedDataset, _ y: NamedDataset) throws -> NamedDataset {
            switch (x, y) {
            case let (.images(a), .images(b)): return .images(a.appending(b))
            case let (.paired(a), .paired(b)): return .paired(try PairedImageDataset(a: a.a.appending(b.a), b: a.b.appending(b.b)))
            default: preconditionFailure("DataShow: one dataset name gave both paired and unpaired splits")
            }
        }

        /// A_i, B_i, A_j, B_j, …, with gray B images repeated to three channels when A is RGB.
        private func interleave(_ p: PairedImageDataset, _ chosen: [Int]) -> Tensor {
            let a = p.a.tensor(indices: chosen), b = p.b.tensor(indices: chosen)
            let channels = max(p.a.channels, p.b.channels)
            func widened(_ t: Tensor) -> Tensor {
                t.shape[1] == channels ? t : Tensor.concat([Tensor](repeating: t, count: channels), axis: 1)
            }
            let n = chosen.count
            let pairs = Tensor.concat([widened(a).unsqueezed(axis: 1), widened(b).unsqueezed(axis: 1)], axis: 1)
            return pairs.reshaped([2 * n, channels, p.a.height, p.a.width])
        }
    }
}
