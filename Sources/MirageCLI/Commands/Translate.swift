import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

extension Mirage {
    /// `mirage translate <run> <input>`: images of one domain through a trained translation model.
    struct Translate: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: "Translate images with a trained translation run (\(ModelRegistry.names { $0 is any TranslationModel.Type }.joined(separator: ", "))) from a .npy, a PNG, or a folder of PNGs.",
            discussion: """
            INPUT is a float32 .npy of N×C×H×W values in [0, 1] (what mirage data export and \
            mirage sample write), one PNG, or a folder of PNGs (read in name order). The images \
            must have the size and channels the run translates (a gray PNG for an RGB model is an \
            error, not a silent conversion). OUT ending in .npy gets float32 N×C×H×W in [0, 1]; \
            any other OUT is a folder that gets one PNG per image, named as the inputs (or \
            00000.png, … for a .npy input). A run translates in the directions its model \
            learned (--direction; default the run's own, or a-to-b for a model that learned \
            both).

            Examples:
              mirage data export mnist-edges --split test --count 64 --domain a --out edges.npy
              mirage translate runs/pix2pix edges.npy --out digits.npy --grid digits.png
              mirage translate runs/cyclegan colored/ --direction b-to-a --out gray/
              mirage translate runs/facades photo.png --out facades-out/
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder (its checkpoints/last.safetensors is used) or a checkpoint file.", valueName: "run"))
        var runPath: String

        @Argument(help: ArgumentHelp("A .npy file, a PNG, or a folder of PNGs.", valueName: "input"))
        var input: String

        @Option(help: "Where to write: a .npy file, or a folder for PNGs.")
        var out: String

        @Option(help: ArgumentHelp("Which way to translate (default: the direction the run learned, or a-to-b if it learned both).", valueName: "a-to-b|b-to-a"))
        var direction: TranslationDirection?

        @Option(help: "Also write input | output for the first images (up to 32) as a PNG sheet here.")
        var grid: String?

        @OptionGroup var threads: ThreadOptions

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            guard let model = run.model as? any TranslationModel else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "image translation",
                                        modelsWithIt: ModelRegistry.names { $0 is any TranslationModel.Type })
            }
            model.setTraining(false)
            let way = direction ?? model.directions[0]
            guard model.directions.contains(way) else {
                throw ValidationError("\(runPath) (\(run.kind)) translates \(model.directions.map(\.rawValue).joined(separator: " and ")) only, not \(way.rawValue); train it with --direction \(way.rawValue) for that")
            }
            let shape = model.inputShape(way)
            let source = try TranslationInput.open(input, shape: shape)
            // Read, translated and written a chunk at a time, so that memory stays flat for inputs
            // of any size.
            let chunk = max(1, min(1024, (1 << 24) / shape.reduce(1, *)))
            let toNPY = out.lowercased().hasSuffix(".npy")
            var writer: NPYWriter?, sheet: (Tensor, Tensor)?, outputShape: [Int] = []
            let start = Date()
            for first in stride(from: 0, to: source.count, by: chunk) {
                let range = first..<min(first + chunk, source.count)
                let images = try source.images(range)
                let outputs = model.translate(images, direction: way)
                outputShape = [source.count] + outputs.shape.dropFirst()
                if toNPY {
                    if writer == nil { writer = try NPYWriter(path: out, shape: outputShape) }
                    try writer!.append(outputs)
                } else {
                    try TranslationInput.writePNGs(outputs, names: Array(source.names[range]), folder: out)
                }
                if sheet == nil {
                    let n = min(32, images.shape[0])
                    sheet = (images.sliced(axis: 0, 0..<n), outputs.sliced(axis: 0, 0..<n))
                }
            }
            try writer?.finish()
            let seconds = Date().timeIntervalSince(start)
            let size = outputShape.map(String.init).joined(separator: "×")
            print("translated \(source.count) images \(way.rawValue) into \(size) at \(out) (\(String(format: "%.1f", Double(source.count) / max(seconds, 1e-9))) images/s)")
            if let grid, let (inputs, outputs) = sheet {
                let sheet = sideBySide([inputs, outputs], perRow: 4)
                try ImageGrid.save(sheet.images, to: grid, nrow: sheet.columns)
                print("wrote sheet \(grid) (input | output)")
            }
        }
    }
}

/// Reading the images `mirage translate` is given and writing its PNG outputs.
enum TranslationInput {
    /// Where the images come from: their number, a file name for each (for PNG outputs), and the
    /// images of a range of them, `[n, C, H, W]` in [0, 1], read when asked for.
    struct Source {
        var count: Int
        var names: [String]
        var images: (Range<Int>) throws -> Tensor
    }

    /// The images of a `.npy`, a PNG or a folder of PNGs, checked against `shape` as far as can
    /// be without reading them all (a `.npy` file's type and shape; each image's values as read).
    ///
    /// - Throws: A ``ValidationError`` or ``DataError`` naming the file whose shape, channels or
    ///   values do not fit `shape`, or an empty folder.
    static func open(_ path: String, shape: [Int]) throws -> Source {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path) does not exist; INPUT is a .npy file, a PNG or a folder of PNGs")
        }
        let expected = shape.map(String.init).joined(separator: "×")
        if isDirectory.boolValue {
            let files = try ImageFolder.pngFiles(in: path)
            return Source(count: files.count, names: files.map { ($0 as NSString).lastPathComponent }) { range in
                try Tensor.concat(files[range].map { try png($0, shape: shape) }, axis: 0)
            }
        }
        if path.lowercased().hasSuffix(".png") {
            let image = try png(path, shape: shape)
            return Source(count: 1, names: [(path as NSString).lastPathComponent]) { _ in image }
        }
        guard path.lowercased().hasSuffix(".npy") else {
            throw ValidationError("\(path) is neither a .npy file nor a PNG; INPUT is a .npy file, a PNG or a folder of PNGs")
        }
        let reader = try NPYReader(path)
        guard reader.isFloat32 else {
            throw DataError.badValue(file: path, reason: "does not hold float32 values; translate takes float32 N×\(expected) in [0, 1]")
        }
        guard reader.shape.count == 4, Array(reader.shape.dropFirst()) == shape, reader.rows > 0 else {
            throw DataError.badValue(file: path, reason: "has shape \(reader.shape), but the model translates N×\(expected) images")
        }
        let rowSize = shape.reduce(1, *)
        return Source(count: reader.rows, names: (0..<reader.rows).map { String(format: "%05d.png", $0) }) { range in
            let images = try reader.read(rows: range)
            if let bad = images.scalars.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
                throw DataError.badValue(file: path, reason: "value \(images.scalars[bad]) at flat index \(range.lowerBound * rowSize + bad) is outside [0, 1]")
            }
            return images
        }
    }

    /// All the images of ``open(_:shape:)``'s source at once, for inputs known to be small (a
    /// test split's worth).
    static func read(_ path: String, shape: [Int]) throws -> Tensor {
        let source = try open(path, shape: shape)
        return try source.images(0..<source.count)
    }

    /// One PNG as `[1, C, H, W]`, refusing a colour model's gray image and the other way round.
    private static func png(_ file: String, shape: [Int]) throws -> Tensor {
        let native = try PNG.read(file)
        let gray = native.channels <= 2
        guard gray == (shape[0] == 1) else {
            throw DataError.badValue(file: file, reason: "is \(gray ? "gray" : "colour"), but the model translates \(shape[0])-channel images")
        }
        guard native.height == shape[1], native.width == shape[2] else {
            throw DataError.badValue(file: file, reason: "is \(native.width)×\(native.height), but the model translates \(shape[2])×\(shape[1]) images")
        }
        let image = try PNG.read(file, channels: shape[0])
        return Tensor(image.planar.map { Float($0) / 255 }, shape: [1] + shape)
    }

    /// Each image `[N, C, H, W]` in [0, 1] as `folder/<name>`.
    static func writePNGs(_ images: Tensor, names: [String], folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (image, name) in zip(ImageGrid.separate(images), names) {
            try PNG.write(image, to: (folder as NSString).appendingPathComponent(name))
        }
    }
}
