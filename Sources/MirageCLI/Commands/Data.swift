import ArgumentParser
import Foundation
import MirageData

extension Mirage {
    /// `mirage data`: inspect the datasets Mirage can load.
    ///
    /// Named `DataCommand`, not `Data`: a `Mirage.Data` type would hide Foundation's `Data` from
    /// every other command nested in `Mirage`.
    struct DataCommand: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "data",
            abstract: "Inspect datasets: counts, shapes, class histograms, sample grids.",
            discussion: """
            Datasets:
              mnist                   MNIST digits, bundled in Data/mnist/
              fashion-mnist, kmnist, emnist
                                      MNIST-format IDX files in Data/<name>/
              cifar10                 binary batches in Data/cifar10/
              mnist-edges, mnist-inverted, mnist-thick, mnist-colored
                                      MNIST domains, each paired with the digits
              stacked-mnist           three random digits as RGB channels: 1,000 modes
                                      (128,000 training, 10,000 test images)
              ring8, grid25, swissroll, moons, circles
                                      2-D toy distributions

            Datasets are looked up in --data-dir, then $MIRAGE_DATA, then Data/<name> in the current folder or above it, then above the mirage executable, then in the source tree.

            Examples:
              mirage data info mnist
              mirage data show mnist --count 64 --out grid.png
              mirage data show ring8 --count 2000 --out ring8.png
              mirage data export mnist-edges --split test --count 100 --domain a --out a.npy --labels y.npy
            """,
            subcommands: [Info.self, Show.self, Export.self]
        )
    }
}

/// Which split(s) a `mirage data` command reads.
enum SplitChoice: String, ExpressibleByArgument, CaseIterable {
    case train, test, all

    /// The splits to read, in order.
    var splits: [DatasetSplit] {
        switch self {
        case .train: return [.train]
        case .test: return [.test]
        case .all: return [.train, .test]
        }
    }
}

/// Options shared by `mirage data info` and `mirage data show`.
struct DatasetOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The dataset.", discussion: "One of: \(DatasetCatalog.names.joined(separator: ", ")).",
                                 valueName: "dataset"))
    var dataset: String

    @Option(name: .customLong("data-dir"),
            help: ArgumentHelp("Folder holding the dataset's files, or holding <dataset>/ (default: $MIRAGE_DATA, else Data/<dataset> found upward from here or from the executable).",
                               valueName: "dir"))
    var dataDirectory: String?

    @Option(help: "Seed for random choices: the samples shown, mnist-colored's colours, toy samples.")
    var seed: UInt64 = 0

    func validate() throws {
        guard DatasetCatalog.names.contains(dataset) else {
            throw ValidationError("unknown dataset '\(dataset)'; choose one of: \(DatasetCatalog.names.joined(separator: ", "))")
        }
    }

    /// Loads one split, turning a missing or unknown dataset into a ValidationError that says how to fix it.
    func load(_ split: DatasetSplit) throws -> NamedDataset {
        do {
            return try DatasetCatalog.load(dataset, split: split, dataDirectory: dataDirectory, seed: seed)
        } catch let error as DataError {
            switch error {
            case .datasetNotFound, .invalidArgument: throw ValidationError(error.description)
            default: throw error
            }
        }
    }
}
