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
            let (images, names) = try TranslationInput.read(input, shape: shape)
            let start = Date()
            let outputs = model.translate(images, direction: way)
            let seconds = Date().timeIntervalSince(start)
            if out.lowercased().hasSuffix(".npy") {
                try NPY.write(NPYArray(outputs), to: out)
            } else {
                try TranslationInput.writePNGs(outputs, names: names, folder: out)
            }
            let size = outputs.shape.map(String.init).joined(separator: "×")
            print("translated \(images.shape[0]) images \(way.rawValue) into \(size) at \(out) (\(String(format: "%.1f", Double(images.shape[0]) / max(seconds, 1e-9))) images/s)")
            if let grid {
                let n = min(32, images.shape[0])
                let sheet = sideBySide([images.sliced(axis: 0, 0..<n), outputs.sliced(axis: 0, 0..<n)], perRow: 4)
                try ImageGrid.save(sheet.images, to: grid, nrow: sheet.columns)
                print("wrote sheet \(grid) (input | output)")
            }
        }
    }
}

/// Reading the images `mirage translate` is given and writing its PNG outputs.
enum TranslationInput {
    /// The images of a `.npy`, a PNG or a folder of PNGs as `[N, C, H, W]` in [0, 1], with a file
    /// name for each (for PNG outputs).
    ///
    /// - Throws: A ``ValidationError`` or ``DataError`` naming the file whose shape, channels or
    ///   values do not fit `shape`, or an empty folder.
    static func read(_ path: String, shape: [Int]) throws -> (Tensor, [String]) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(path) does not exist; INPUT is a .npy file, a PNG or a folder of PNGs")
        }
        let expected = shape.map(String.init).joined(separator: "×")
        if isDirectory.boolValue {
            let files = try ImageFolder.pngFiles(in: path)
            let images = try files.map { try png($0, shape: shape) }
            return (Tensor.concat(images, axis: 0), files.map { ($0 as NSString).lastPathComponent })
        }
        if path.lowercased().hasSuffix(".png") {
            return (try png(path, shape: shape), [(path as NSString).lastPathComponent])
        }
        guard path.lowercased().hasSuffix(".npy") else {
            throw ValidationError("\(path) is neither a .npy file nor a PNG; INPUT is a .npy file, a PNG or a folder of PNGs")
        }
        let array = try NPY.read(path)
        guard case .float32 = array.values else {
            throw DataError.badValue(file: path, reason: "holds \(array.values) values; translate takes float32 N×\(expected) in [0, 1]")
        }
        guard array.shape.count == 4, Array(array.shape.dropFirst()) == shape, array.shape[0] > 0 else {
            throw DataError.badValue(file: path, reason: "has shape \(array.shape), but the model translates N×\(expected) images")
        }
        let images = array.tensor
        if let bad = images.scalars.firstIndex(where: { !($0 >= 0 && $0 <= 1) }) {
            throw DataError.badValue(file: path, reason: "value \(images.scalars[bad]) at flat index \(bad) is outside [0, 1]")
        }
        return (images, (0..<array.shape[0]).map { String(format: "%05d.png", $0) })
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
