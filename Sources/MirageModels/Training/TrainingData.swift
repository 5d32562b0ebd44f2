import Foundation
import MirageData
import MirageTensor

/// One split of the data a model trains on, in the shape it asked for.
public enum TrainingSet: Sendable {
    /// Labelled images.
    case images(ImageDataset)
    /// Aligned pairs.
    case pairs(PairedImageDataset)
    /// Two domains, sampled apart.
    case unpaired(UnpairedImageDataset)
    /// A 2-D toy distribution, sampled afresh for every batch.
    case points(any ToyDistribution2D)

    /// The images of domain A (or the images themselves); `nil` for points.
    public var primary: ImageDataset? {
        switch self {
        case let .images(d): return d
        case let .pairs(p): return p.a
        case let .unpaired(u): return u.a
        case .points: return nil
        }
    }

    /// The shape of these data.
    public var shape: DataShape {
        switch self {
        case .images: return .images
        case .pairs: return .pairs
        case .unpaired: return .unpairedDomains
        case .points: return .points
        }
    }

    /// The same set without the samples labelled `label` (of either domain, for two domains): the
    /// leave-one-class-out protocol of anomaly detection, where the left-out class is the anomaly.
    /// Points have no labels and are returned as they are.
    public func excluding(class label: Int) -> TrainingSet {
        func keep(_ d: ImageDataset) -> [Int] { d.labels.indices.filter { d.labels[$0] != label } }
        switch self {
        case let .images(d): return .images(d.subset(keep(d)))
        case let .pairs(p):
            // A pair's two images show one sample, labelled alike: A's labels decide.
            let kept = keep(p.a)
            return .pairs(try! PairedImageDataset(a: p.a.subset(kept), b: p.b.subset(kept)))  // same counts and sizes as before
        case let .unpaired(u): return .unpaired(UnpairedImageDataset(a: u.a.subset(keep(u.a)), b: u.b.subset(keep(u.b))))
        case .points: return self
        }
    }

    /// The first `count` samples as a training set of the same shape.
    public func prefix(_ count: Int) -> TrainingSet {
        func first(_ d: ImageDataset) -> ImageDataset { d.subset(Array(0..<min(count, d.count))) }
        switch self {
        case let .images(d): return .images(first(d))
        case let .pairs(p): return .pairs(try! PairedImageDataset(a: first(p.a), b: first(p.b)))  // same counts and sizes as before
        case let .unpaired(u): return .unpaired(UnpairedImageDataset(a: first(u.a), b: first(u.b)))
        case .points: return self
        }
    }
}

/// What a model is built for: the size of one sample and the number of classes.
public struct DataDescription: Sendable, Equatable {
    /// `[C, H, W]` of an image (of domain A for pairs and two domains), `[2]` for points.
    public var sampleShape: [Int]
    /// Channels of domain B's images, for pairs and two domains.
    public var channelsB: Int?
    /// Number of classes (1 for unlabelled data).
    public var classCount: Int
    /// Whether the images come from folders of PNGs (photos, where translation models jitter and
    /// flip) rather than a named dataset such as the MNIST domains (where a flip changes a digit).
    public var fromFolder: Bool

    public init(sampleShape: [Int], channelsB: Int? = nil, classCount: Int, fromFolder: Bool = false) {
        self.sampleShape = sampleShape
        self.channelsB = channelsB
        self.classCount = classCount
        self.fromFolder = fromFolder
    }

    /// MNIST's digits: `[1, 28, 28]`, 10 classes.
    public static let mnist = DataDescription(sampleShape: [1, 28, 28], classCount: 10)

    /// The classes a model built with `--conditional` (or without it: 0) learns on these data.
    ///
    /// - Throws: ``ModelConfigurationError/unsuitable(kind:reason:)`` when `conditional` is asked
    ///   of data without classes.
    public func classes(conditional: Bool, kind: String) throws -> Int {
        guard conditional else { return 0 }
        guard classCount > 1 else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "--conditional needs labelled data, and these data have no classes")
        }
        return classCount
    }
}

/// The training and test splits a run uses, loaded by name or path in the shape a model asks for.
///
/// ```swift
/// let data = try TrainingData.load("mnist-inverted", shape: .images)    // the inverted digits
/// let pairs = try TrainingData.load("mnist-edges", shape: .pairs)       // A: edges, B: digits
/// let folder = try TrainingData.load("my-pngs/", shape: .images)        // a folder of PNGs
/// ```
public struct TrainingData: Sendable {
    /// The name or path it was loaded from.
    public var name: String
    public var train: TrainingSet
    public var test: TrainingSet
    /// The names or paths of domains A and B when they were loaded apart (``domains(_:_:dataDirectory:seed:)``).
    public var domains: (a: String, b: String)?
    /// Whether the images come from folders of PNGs.
    public var fromFolder: Bool

    public init(name: String, train: TrainingSet, test: TrainingSet, domains: (a: String, b: String)? = nil,
                fromFolder: Bool = false) {
        self.name = name
        self.train = train
        self.test = test
        self.domains = domains
        self.fromFolder = fromFolder
    }

    /// MNIST's digits as labelled images (the bundled copy, or the one in `dataDirectory`).
    public static func mnist(dataDirectory: String? = nil) throws -> TrainingData {
        try load("mnist", shape: .images, dataDirectory: dataDirectory)
    }

    /// The sample size and classes of the training split.
    public var description: DataDescription {
        switch train {
        case let .images(d): return DataDescription(sampleShape: d.sampleShape, classCount: d.classCount, fromFolder: fromFolder)
        case let .pairs(p):
            return DataDescription(sampleShape: p.a.sampleShape, channelsB: p.b.channels, classCount: p.a.classCount, fromFolder: fromFolder)
        case let .unpaired(u):
            return DataDescription(sampleShape: u.a.sampleShape, channelsB: u.b.channels, classCount: u.a.classCount, fromFolder: fromFolder)
        case .points: return DataDescription(sampleShape: [2], classCount: 1)
        }
    }

    /// The training split as a run with `options` trains on it: without the excluded class, then
    /// cut to the subset.
    public func trainingSplit(for options: TrainingOptions) -> TrainingSet {
        var train = self.train
        if let k = options.excludedClass { train = train.excluding(class: k) }
        if let n = options.trainingSubset { train = train.prefix(n) }
        return train
    }

    /// Loads a dataset for a model that trains on `shape`.
    ///
    /// `name` is a dataset MirageData knows (`DatasetCatalog.names`) or a path to a folder of
    /// PNGs: for images, the PNGs themselves or `train/` and `test/` inside; for pairs, A|B PNGs
    /// (or `train/` and `test/` of them); for two domains, `trainA/` and `trainB/` (and `testA/`,
    /// `testB/` if present). Without a test split the training images serve for the sheets.
    ///
    /// - Parameters:
    ///   - name: A dataset name or a folder path.
    ///   - shape: What the model trains on.
    ///   - dataDirectory: Where to look for named datasets first (see MirageData's `DatasetLocator`).
    ///   - seed: The colour seed of `mnist-colored`.
    /// - Throws: ``TrainingDataError`` when the data cannot have that shape, or the reader's
    ///   `DataError` (a missing dataset lists every folder tried).
    public static func load(_ name: String, shape: DataShape, dataDirectory: String? = nil,
                            seed: UInt64 = 0) throws -> TrainingData {
        if DatasetCatalog.isToy(name) {
            guard shape == .points, let toy = ToyDistributions.named(name) else {
                throw TrainingDataError.wrongShape(dataset: name, has: .points, wanted: shape)
            }
            return TrainingData(name: name, train: .points(toy), test: .points(toy))
        }
        if DatasetCatalog.names.contains(name) {
            func split(_ s: DatasetSplit) throws -> TrainingSet {
                let loaded = try DatasetCatalog.load(name, split: s, dataDirectory: dataDirectory, seed: seed)
                switch (loaded, shape) {
                case let (.images(d), .images): return .images(d)
                case let (.paired(p), .images): return .images(p.a)
                case let (.paired(p), .pairs): return .pairs(p)
                case let (.paired(p), .unpairedDomains): return .unpaired(UnpairedImageDataset(a: p.a, b: p.b))
                case (.images, _): throw TrainingDataError.wrongShape(dataset: name, has: .images, wanted: shape)
                case (.paired, _): throw TrainingDataError.wrongShape(dataset: name, has: .pairs, wanted: shape)
                }
            }
            return TrainingData(name: name, train: try split(.train), test: try split(.test))
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) else {
            throw TrainingDataError.unknown(name)
        }
        guard isDirectory.boolValue else { throw TrainingDataError.notAFolder(name) }
        return try folder(name, shape: shape)
    }

    /// Two datasets loaded apart as the unpaired domains of a translation model, each a name or a
    /// folder of PNGs as for ``load(_:shape:dataDirectory:seed:)`` with images: `mnist` ↔
    /// `mnist-colored` (the coloured digits), or `photos/summer` ↔ `photos/winter`. Each domain is
    /// shuffled on its own during training, so a pairing that the sources have does not leak in.
    ///
    /// - Throws: ``TrainingDataError/layout(_:_:)`` when the two domains' images differ in size,
    ///   and whatever loading either one throws.
    public static func domains(_ a: String, _ b: String, dataDirectory: String? = nil, seed: UInt64 = 0) throws -> TrainingData {
        let da = try load(a, shape: .images, dataDirectory: dataDirectory, seed: seed)
        let db = try load(b, shape: .images, dataDirectory: dataDirectory, seed: seed)
        guard case let .images(trainA) = da.train, case let .images(testA) = da.test,
              case let .images(trainB) = db.train, case let .images(testB) = db.test else {
            throw TrainingDataError.wrongShape(dataset: "\(a) or \(b)", has: .points, wanted: .images)
        }
        guard trainA.height == trainB.height, trainA.width == trainB.width else {
            throw TrainingDataError.layout(b, "its images are \(trainB.width)×\(trainB.height) but domain A's (\(a)) are \(trainA.width)×\(trainA.height); both domains need one size")
        }
        return TrainingData(name: "\(a) ↔ \(b)", train: .unpaired(UnpairedImageDataset(a: trainA, b: trainB)),
                            test: .unpaired(UnpairedImageDataset(a: testA, b: testB)), domains: (a, b),
                            fromFolder: da.fromFolder || db.fromFolder)
    }

    /// A folder of PNGs in the layout `shape` asks for.
    private static func folder(_ path: String, shape: DataShape) throws -> TrainingData {
        let fm = FileManager.default
        func sub(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
        func exists(_ name: String) -> Bool {
            var d: ObjCBool = false
            return fm.fileExists(atPath: sub(name), isDirectory: &d) && d.boolValue
        }
        switch shape {
        case .points:
            throw TrainingDataError.wrongShape(dataset: path, has: .images, wanted: .points)
        case .images:
            let (trainDir, testDir) = exists("train") ? (sub("train"), exists("test") ? sub("test") : sub("train")) : (path, path)
            let channels = try nativeChannels(trainDir)
            let train = try ImageFolder.images(trainDir, channels: channels)
            let test = testDir == trainDir ? train : try ImageFolder.images(testDir, channels: channels)
            return TrainingData(name: path, train: .images(train), test: .images(test), fromFolder: true)
        case .pairs:
            let (trainDir, testDir) = exists("train") ? (sub("train"), exists("test") ? sub("test") : exists("val") ? sub("val") : sub("train"))
                : (path, path)
            let channels = try nativeChannels(trainDir)
            let train = try ImageFolder.paired(trainDir, channels: channels)
            let test = testDir == trainDir ? train : try ImageFolder.paired(testDir, channels: channels)
            return TrainingData(name: path, train: .pairs(train), test: .pairs(test), fromFolder: true)
        case .unpairedDomains:
            guard exists("trainA"), exists("trainB") else {
                throw TrainingDataError.layout(path, "two unpaired domains need trainA/ and trainB/ inside it")
            }
            let channels = max(try nativeChannels(sub("trainA")), try nativeChannels(sub("trainB")))
            let train = try ImageFolder.unpaired(path, channels: channels, split: "train")
            let test = exists("testA") && exists("testB") ? try ImageFolder.unpaired(path, channels: channels, split: "test") : train
            return TrainingData(name: path, train: .unpaired(train), test: .unpaired(test), fromFolder: true)
        }
    }

    /// 1 when the folder's first PNG is gray (with or without alpha), else 3.
    private static func nativeChannels(_ directory: String) throws -> Int {
        guard let first = try ImageFolder.pngFiles(in: directory).first else { return 1 }
        return try PNG.read(first).channels <= 2 ? 1 : 3
    }
}

/// Why a dataset cannot feed a model.
public enum TrainingDataError: Error, CustomStringConvertible, Equatable {
    /// The dataset has another shape than the model trains on.
    case wrongShape(dataset: String, has: DataShape, wanted: DataShape)
    /// Neither a known dataset nor an existing path.
    case unknown(String)
    /// A path that is a file, not a folder.
    case notAFolder(String)
    /// A folder without the expected layout.
    case layout(String, String)
    /// A model that needs class labels, given a dataset with one class.
    case unlabelled(dataset: String)
    /// Fewer samples than one step needs.
    case tooFew(dataset: String, count: Int, needed: Int)
    /// A batch smaller than the model's networks can take.
    case batchTooSmall(kind: String, batchSize: Int, minimum: Int)
    /// `--exclude-class` naming a class the dataset does not have.
    case noSuchClass(dataset: String, label: Int, classCount: Int)

    public var description: String {
        switch self {
        case let .wrongShape(dataset, has, wanted):
            let offer: String
            switch wanted {
            case .images: offer = "image datasets: \((DatasetCatalog.imageNames + DatasetCatalog.derivedNames + DatasetCatalog.composedNames).joined(separator: ", ")), or a folder of PNGs"
            case .pairs: offer = "paired datasets: \(DatasetCatalog.derivedNames.joined(separator: ", ")), or a folder of A|B PNGs"
            case .unpairedDomains: offer = "two-domain datasets: \(DatasetCatalog.derivedNames.joined(separator: ", ")), or a folder with trainA/ and trainB/"
            case .points: offer = "2-D toys: \(ToyDistributions.names.joined(separator: ", "))"
            }
            return "\(dataset) holds \(has.phrase), but this model trains on \(wanted.phrase); \(offer)"
        case let .unknown(name):
            return "unknown dataset '\(name)': not a dataset Mirage knows (\(DatasetCatalog.names.joined(separator: ", "))) nor an existing folder"
        case let .notAFolder(path):
            return "\(path) is a file; --dataset takes a dataset name or a folder of PNGs"
        case let .layout(path, problem):
            return "\(path): \(problem)"
        case let .unlabelled(dataset):
            return "\(dataset) has no class labels, and this model is class-conditional; pick a labelled dataset such as mnist"
        case let .batchTooSmall(kind, batchSize, minimum):
            return "--batch-size \(batchSize) is too small for \(kind), whose batch norm needs at least \(minimum) images a batch"
        case let .noSuchClass(dataset, label, classCount):
            guard classCount > 1 else {
                return "--exclude-class \(label) needs labelled data, and \(dataset) has no class labels; pick a labelled dataset such as mnist"
            }
            return "--exclude-class \(label) is not a class of \(dataset), whose classes are 0...\(classCount - 1)"
        case let .tooFew(dataset, count, needed):
            return "\(dataset) has \(count) training samples, fewer than one step needs (\(needed)); lower --batch-size or use more data"
        }
    }
}
