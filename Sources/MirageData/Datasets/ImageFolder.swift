import Foundation

/// Datasets from folders of PNG files, in the layouts of pix2pix (paired) and CycleGAN
/// (unpaired).
///
/// Files are read in name order (so every run sees the same order), converted to the channel
/// count asked for, and must all have one size. Only `.png` files are read; other files are
/// ignored, and a folder of JPEGs is reported with a hint to convert them.
///
/// ```swift
/// let facades = try ImageFolder.paired("Data/facades/train", channels: 3)      // each PNG is A|B
/// let horses2zebras = try ImageFolder.unpaired("Data/horse2zebra", channels: 3) // trainA/, trainB/
/// let loose = try ImageFolder.images("my-pngs", channels: 1)
/// ```
public enum ImageFolder {
    /// The `.png` files directly inside `directory`, sorted by name.
    ///
    /// - Parameter directory: The folder.
    /// - Returns: Full paths.
    /// - Throws: ``DataError/unreadable(file:reason:)`` if the folder cannot be listed, or
    ///   ``DataError/empty(directory:reason:)`` if it holds no PNG file.
    public static func pngFiles(in directory: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw DataError.unreadable(file: directory, reason: "cannot list the folder (\(error.localizedDescription))")
        }
        let pngs = names.filter { $0.lowercased().hasSuffix(".png") }.sorted()
        guard !pngs.isEmpty else {
            let jpegs = names.filter { [".jpg", ".jpeg"].contains(where: $0.lowercased().hasSuffix) }.count
            let hint = jpegs > 0 ? " (it has \(jpegs) JPEG files: convert them, e.g. `mogrify -format png *.jpg`)" : ""
            throw DataError.empty(directory: directory, reason: "holds no .png files\(hint)")
        }
        return pngs.map { (directory as NSString).appendingPathComponent($0) }
    }

    /// Every PNG in a folder as one unlabelled dataset (one class, label 0).
    ///
    /// - Parameters:
    ///   - directory: The folder.
    ///   - channels: 1 (gray), 3 (RGB) or 4 (RGBA); files are converted as needed.
    ///   - name: The dataset's name; the folder's path by default.
    /// - Returns: The images, in file-name order.
    /// - Throws: ``DataError`` naming the file that cannot be read or whose size differs from the first's.
    public static func images(_ directory: String, channels: Int, name: String? = nil) throws -> ImageDataset {
        let loaded = try load(try pngFiles(in: directory), channels: channels)
        return dataset(loaded.map(\.1), name: name ?? directory)
    }

    /// A pix2pix folder: each PNG holds an A image and a B image side by side (A on the left),
    /// split in the middle.
    ///
    /// - Parameters:
    ///   - directory: The folder (e.g. `facades/train`).
    ///   - channels: Channels per image after conversion.
    /// - Returns: A is the left halves, B the right halves, both named after the folder.
    /// - Throws: ``DataError`` naming a file that is unreadable, of odd width, or of a
    ///   different size from the first.
    public static func paired(_ directory: String, channels: Int) throws -> PairedImageDataset {
        let loaded = try load(try pngFiles(in: directory), channels: channels)
        var left: [RasterImage] = [], right: [RasterImage] = []
        for (file, image) in loaded {
            guard image.width % 2 == 0 else {
                throw DataError.badValue(file: file, reason: "width \(image.width) is odd; a pix2pix pair is two equal halves A|B side by side")
            }
            left.append(image.columns(0..<image.width / 2))
            right.append(image.columns(image.width / 2..<image.width))
        }
        return try PairedImageDataset(a: dataset(left, name: "\(directory)/A"), b: dataset(right, name: "\(directory)/B"))
    }

    /// A CycleGAN folder: `<split>A/` and `<split>B/` hold the two domains' PNGs.
    ///
    /// - Parameters:
    ///   - root: The dataset folder (e.g. `horse2zebra`).
    ///   - channels: Channels per image after conversion.
    ///   - split: The prefix of the two subfolders: `train` or `test`.
    /// - Returns: The two domains; their counts may differ.
    /// - Throws: ``DataError`` naming the folder or file that cannot be read.
    public static func unpaired(_ root: String, channels: Int, split: String = "train") throws -> UnpairedImageDataset {
        let a = (root as NSString).appendingPathComponent("\(split)A")
        let b = (root as NSString).appendingPathComponent("\(split)B")
        return UnpairedImageDataset(a: try images(a, channels: channels), b: try images(b, channels: channels))
    }

    /// Reads `files`, checking that they share the first one's size.
    private static func load(_ files: [String], channels: Int) throws -> [(String, RasterImage)] {
        guard [1, 3, 4].contains(channels) else {
            throw DataError.invalidArgument("ImageFolder: channels must be 1, 3 or 4, got \(channels)")
        }
        var out: [(String, RasterImage)] = []
        for file in files {
            let image = try PNG.read(file, channels: channels)
            if let (firstFile, first) = out.first, first.width != image.width || first.height != image.height {
                throw DataError.badValue(
                    file: file,
                    reason: "is \(image.width)×\(image.height) but \(firstFile) is \(first.width)×\(first.height); all images of a folder must have one size")
            }
            out.append((file, image))
        }
        return out
    }

    /// Planar dataset of equally sized images, one class.
    private static func dataset(_ images: [RasterImage], name: String) -> ImageDataset {
        let first = images[0]
        var pixels = [UInt8]()
        pixels.reserveCapacity(images.count * first.pixels.count)
        for image in images { pixels += image.planar }
        return ImageDataset(name: name, images: pixels, labels: [Int](repeating: 0, count: images.count),
                            channels: first.channels, height: first.height, width: first.width, classCount: 1)
    }
}
