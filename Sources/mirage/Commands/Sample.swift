import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

extension Mirage {
    /// `mirage sample <run>`: draws images from a trained model.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw samples from a trained run as .npy (and optionally a PNG sheet).",
            discussion: """
            The .npy file holds float32 N×C×H×W values in [0, 1], readable with numpy.load.

            Examples:
              mirage sample runs/dcgan --count 10000 --out samples.npy
              mirage sample runs/vae --count 64 --out vae.npy --grid vae.png
            """
        )

        @Argument(help: ArgumentHelp("The run folder (its checkpoints/last.safetensors is used) or a checkpoint file.",
                                     valueName: "run"))
        var runPath: String

        @Option(help: "Number of samples.")
        var count: Int = 64

        @Option(help: "Output .npy file.")
        var out: String = "samples.npy"

        @Option(help: "Also write the first samples (up to 256) as a PNG sheet here.")
        var grid: String?

        @Option(help: "Seed of the sampling noise.")
        var seed: UInt64 = 0

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        }

        func run() throws {
            let model = try loadModel(runPath)
            model.setTraining(false)
            let samples = model.sample(count: count, generator: RandomGenerator(seed: seed))
            try NPY.write(NPYArray(samples), to: out)
            print("wrote \(samples.shape.map(String.init).joined(separator: "×")) samples to \(out)")
            if let grid {
                let shown = samples.sliced(axis: 0, 0..<min(count, 256))
                try ImageGrid.save(shown, to: grid, nrow: Int(Double(shown.shape[0]).squareRoot().rounded(.up)))
                print("wrote sheet \(grid)")
            }
        }
    }
}

/// The model stored in a run folder or checkpoint file, restored.
func loadModel(_ path: String) throws -> any GenerativeModel {
    var isDirectory: ObjCBool = false
    let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
    guard exists else { throw ValidationError("\(path) does not exist; pass a run folder such as runs/dcgan") }
    let file = isDirectory.boolValue ? RunFolder(path).lastCheckpoint.path : path
    guard FileManager.default.fileExists(atPath: file) else {
        throw ValidationError("\(path) has no checkpoint at \(file); train it first with mirage train")
    }
    let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: file))
    let header = try TrainingCheckpoint.header(checkpoint, path: file)
    let model = try ModelRegistry.make(kind: header.kind, configuration: header.config)
    try TrainingCheckpoint.restore(model, from: checkpoint, path: file)
    return model
}
