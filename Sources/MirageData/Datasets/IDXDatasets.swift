/// MNIST and the datasets that share its IDX files: Fashion-MNIST, KMNIST and EMNIST.
extension ImageDataset {
    /// The four IDX file names shared by MNIST-like datasets.
    ///
    /// - Parameter split: The split.
    /// - Returns: The image and label file names (`.gz`; raw files without the suffix load too).
    public static func idxFileNames(_ split: DatasetSplit) -> (images: String, labels: String) {
        let prefix = split == .train ? "train" : "t10k"
        return ("\(prefix)-images-idx3-ubyte.gz", "\(prefix)-labels-idx1-ubyte.gz")
    }

    /// Reads a pair of IDX files: `[N, H, W]` images and `[N]` labels.
    ///
    /// ```swift
    /// let test = try ImageDataset.idx(images: "t10k-images-idx3-ubyte.gz",
    ///                                 labels: "t10k-labels-idx1-ubyte.gz", name: "mnist/test", classCount: 10)
    /// ```
    ///
    /// - Parameters:
    ///   - images: The image file (`0x00000803`), gzip or raw.
    ///   - labels: The label file (`0x00000801`), gzip or raw.
    ///   - name: A short name for messages.
    ///   - classCount: The number of classes; every label must be below it. `nil` takes the
    ///     largest label plus one.
    ///   - transposed: Whether each image is stored column by column (EMNIST) and must be
    ///     transposed to stand upright.
    /// - Returns: A one-channel dataset.
    /// - Throws: ``DataError`` naming the file when either file is unreadable, corrupt or of the
    ///   wrong kind, when the counts differ, or when a label is out of range.
    public static func idx(images: String, labels: String, name: String, classCount: Int? = nil,
                           transposed: Bool = false) throws -> ImageDataset {
        let imageArray = try IDX.read(images, rank: 3)
        let labelArray = try IDX.read(labels, rank: 1)
        let n = imageArray.shape[0]
        guard labelArray.shape[0] == n else {
            throw DataError.countMismatch(file: images, count: n, otherFile: labels, otherCount: labelArray.shape[0])
        }
        let labelValues = labelArray.values.map(Int.init)
        let classes = classCount ?? (labelValues.max() ?? 0) + 1
        if let bad = labelValues.firstIndex(where: { $0 >= classes }) {
            throw DataError.badValue(
                file: labels, reason: "label \(labelValues[bad]) of sample \(bad) is not in 0..<\(classes)")
        }
        var height = imageArray.shape[1], width = imageArray.shape[2]
        var pixels = imageArray.values
        if transposed {
            pixels = transposeEach(pixels, count: n, rows: height, columns: width)
            swap(&height, &width)
        }
        return ImageDataset(name: name, images: pixels, labels: labelValues, channels: 1, height: height,
                            width: width, classCount: classes)
    }

    /// Reads the IDX split of the dataset in folder `name`, found by ``DatasetLocator``.
    ///
    /// - Parameters:
    ///   - name: The dataset's folder name (`mnist`, `fashion-mnist`, `kmnist`, `emnist`).
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    ///   - classCount: The number of classes, or `nil` for the largest label plus one.
    ///   - transposed: Whether the files store images column by column.
    /// - Returns: The split, named `name/split`.
    /// - Throws: ``DataError/datasetNotFound(name:searched:files:)`` or a reader error.
    public static func idxFolder(_ name: String, split: DatasetSplit, dataDirectory: String? = nil,
                                 classCount: Int?, transposed: Bool = false) throws -> ImageDataset {
        let files = idxFileNames(split)
        let bare = [files.images, files.labels].map { String($0.dropLast(3)) }
        let folder = try DatasetLocator.locate(name, files: bare, dataDirectory: dataDirectory)
        return try idx(images: DatasetLocator.path(of: bare[0], in: folder),
                       labels: DatasetLocator.path(of: bare[1], in: folder),
                       name: "\(name)/\(split.rawValue)", classCount: classCount, transposed: transposed)
    }

    /// MNIST handwritten digits: 60,000 training and 10,000 test images of 28×28, 10 classes.
    ///
    /// Bundled with Mirage in `Data/mnist/`.
    ///
    /// ```swift
    /// let train = try ImageDataset.mnist(split: .train)
    /// print(train.classHistogram)   // [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    /// ```
    ///
    /// - Parameters:
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    /// - Returns: The split.
    /// - Throws: ``DataError`` when the files are missing or damaged.
    ///
    /// - SeeAlso: <http://yann.lecun.com/exdb/mnist/>
    public static func mnist(split: DatasetSplit, dataDirectory: String? = nil) throws -> ImageDataset {
        try idxFolder("mnist", split: split, dataDirectory: dataDirectory, classCount: 10)
    }

    /// Fashion-MNIST (Zalando): 28×28 gray clothing images in 10 classes, MNIST's file names and
    /// sizes. Not bundled: put the four files in `Data/fashion-mnist/`.
    ///
    /// ```swift
    /// let test = try ImageDataset.fashionMNIST(split: .test, dataDirectory: "/data/fashion")
    /// ```
    ///
    /// - Parameters:
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    /// - Returns: The split.
    /// - Throws: ``DataError`` when the files are missing or damaged.
    ///
    /// - SeeAlso: <https://github.com/zalandoresearch/fashion-mnist>
    public static func fashionMNIST(split: DatasetSplit, dataDirectory: String? = nil) throws -> ImageDataset {
        try idxFolder("fashion-mnist", split: split, dataDirectory: dataDirectory, classCount: 10)
    }

    /// Kuzushiji-MNIST: 28×28 cursive Japanese characters in 10 classes, MNIST's file names and
    /// sizes. Not bundled: put the four files in `Data/kmnist/`.
    ///
    /// ```swift
    /// let train = try ImageDataset.kmnist(split: .train)
    /// ```
    ///
    /// - Parameters:
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    /// - Returns: The split.
    /// - Throws: ``DataError`` when the files are missing or damaged.
    ///
    /// - SeeAlso: <https://github.com/rois-codh/kmnist>
    public static func kmnist(split: DatasetSplit, dataDirectory: String? = nil) throws -> ImageDataset {
        try idxFolder("kmnist", split: split, dataDirectory: dataDirectory, classCount: 10)
    }

    /// EMNIST: one of its splits (balanced, letters, digits, …) saved under MNIST's file names in
    /// `Data/emnist/`. Not bundled.
    ///
    /// EMNIST's files store each image column by column; they are transposed here so that the
    /// characters stand upright. The class count is the largest label plus one (EMNIST letters
    /// number their classes from 1, so that split has 27 classes, class 0 empty).
    ///
    /// ```swift
    /// let letters = try ImageDataset.emnist(split: .train, dataDirectory: "/data/emnist-letters")
    /// ```
    ///
    /// - Parameters:
    ///   - split: Train or test.
    ///   - dataDirectory: An explicit folder (see ``DatasetLocator``).
    /// - Returns: The split.
    /// - Throws: ``DataError`` when the files are missing or damaged.
    ///
    /// - SeeAlso: <https://www.nist.gov/itl/products-and-services/emnist-dataset>
    public static func emnist(split: DatasetSplit, dataDirectory: String? = nil) throws -> ImageDataset {
        try idxFolder("emnist", split: split, dataDirectory: dataDirectory, classCount: nil, transposed: true)
    }

    private static func transposeEach(_ pixels: [UInt8], count: Int, rows: Int, columns: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let size = rows * columns
        for n in 0..<count {
            for r in 0..<rows {
                for c in 0..<columns { out[n * size + c * rows + r] = pixels[n * size + r * columns + c] }
            }
        }
        return out
    }
}
