/// A dataset loaded by name: plain images, or a derived domain paired with its source.
public enum NamedDataset: Sendable {
    /// Labelled images (`mnist`, `cifar10`, …).
    case images(ImageDataset)
    /// A derived domain (A) paired with the digits it was computed from (B).
    case paired(PairedImageDataset)

    /// The images that stand for the dataset: the images themselves, or domain A of a pair.
    public var primary: ImageDataset {
        switch self {
        case let .images(d): return d
        case let .paired(p): return p.a
        }
    }
}

/// The datasets Mirage knows by name, as the CLI accepts them.
///
/// - Image datasets: `mnist` (bundled), `fashion-mnist`, `kmnist`, `emnist` (IDX folders under
///   `Data/`), `cifar10` (binary batches under `Data/cifar10/`).
/// - Derived MNIST domains, each paired with the MNIST digits (domain B): `mnist-edges`
///   (Sobel magnitude), `mnist-inverted`, `mnist-thick` (3×3 dilation), `mnist-colored`
///   (RGB, colours from a seed).
/// - Composed from MNIST: `stacked-mnist` (three random digits as RGB channels, 1,000 modes;
///   128,000 training and 10,000 test images, see ``ImageDataset/stackedDigits(count:seed:)``).
/// - 2-D toys (see ``ToyDistributions``): `ring8`, `grid25`, `swissroll`, `moons`, `circles`.
///
/// ```swift
/// if case let .paired(pairs) = try DatasetCatalog.load("mnist-edges", split: .test) {
///     print(pairs.a.name, pairs.b.name)   // mnist/test-edges mnist/test
/// }
/// ```
public enum DatasetCatalog {
    /// Image datasets read from files.
    public static let imageNames = ["mnist", "fashion-mnist", "kmnist", "emnist", "cifar10"]
    /// Domains derived from MNIST.
    public static let derivedNames = ["mnist-edges", "mnist-inverted", "mnist-thick", "mnist-colored"]
    /// Image datasets composed from MNIST's digits.
    public static let composedNames = ["stacked-mnist"]
    /// Every name: images, derived domains, composed datasets, then toys.
    public static var names: [String] { imageNames + derivedNames + composedNames + ToyDistributions.names }

    /// Whether `name` is a 2-D toy distribution rather than an image dataset.
    public static func isToy(_ name: String) -> Bool { ToyDistributions.names.contains(name) }

    /// Loads one split of an image dataset or derived domain.
    ///
    /// - Parameters:
    ///   - name: One of ``imageNames`` or ``derivedNames``.
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    ///   - seed: The colour seed of `mnist-colored` (ignored by the others).
    /// - Returns: The images, or the derived domain paired with the digits.
    /// - Throws: ``DataError/invalidArgument(_:)`` for an unknown name (listing the known
    ///   ones), or the reader's error.
    public static func load(_ name: String, split: DatasetSplit, dataDirectory: String? = nil,
                            seed: UInt64 = 0) throws -> NamedDataset {
        switch name {
        case "mnist": return .images(try .mnist(split: split, dataDirectory: dataDirectory))
        case "fashion-mnist": return .images(try .fashionMNIST(split: split, dataDirectory: dataDirectory))
        case "kmnist": return .images(try .kmnist(split: split, dataDirectory: dataDirectory))
        case "emnist": return .images(try .emnist(split: split, dataDirectory: dataDirectory))
        case "cifar10": return .images(try .cifar10(split: split, dataDirectory: dataDirectory))
        case "stacked-mnist":
            // PacGAN's size for training (128,000); the test images stack test digits. The draw
            // is fixed (seeds 0 and 1), so every run sees the same dataset.
            let digits = try ImageDataset.mnist(split: split, dataDirectory: dataDirectory)
            return .images(split == .train ? digits.stackedDigits(count: 128_000, seed: 0) : digits.stackedDigits(count: 10_000, seed: 1))
        case "mnist-edges", "mnist-inverted", "mnist-thick", "mnist-colored":
            let digits = try ImageDataset.mnist(split: split, dataDirectory: dataDirectory)
            let derived: ImageDataset
            switch name {
            case "mnist-edges": derived = digits.sobelEdges()
            case "mnist-inverted": derived = digits.inverted()
            case "mnist-thick": derived = digits.thickened()
            default: derived = digits.colorized(seed: seed)
            }
            return .paired(try derived.paired(with: digits))
        default:
            let kind = isToy(name) ? "'\(name)' is a 2-D toy distribution, not an image dataset"
                : "unknown dataset '\(name)'"
            throw DataError.invalidArgument("\(kind); image datasets: \((imageNames + derivedNames + composedNames).joined(separator: ", "))")
        }
    }
}
