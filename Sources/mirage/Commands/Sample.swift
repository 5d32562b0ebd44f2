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
            The .npy file holds float32 N×C×H×W values in [0, 1], readable with numpy.load. \
            --class K draws class K from a conditional model.

            Examples:
              mirage sample runs/dcgan --count 10000 --out samples.npy
              mirage sample runs/vae --count 64 --out vae.npy --grid vae.png
              mirage sample runs/cgan --class 7 --count 100 --out sevens.npy
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

        @Option(name: .customLong("class"), help: "Draw samples of this class only (conditional models).")
        var label: Int?

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        }

        func run() throws {
            let run = try LoadedRun(runPath)
            let model = run.model
            model.setTraining(false)
            let samples: Tensor
            if let label {
                guard let conditional = model as? any ConditionalSampling else {
                    throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "conditional sampling",
                                            modelsWithIt: ModelRegistry.names { $0 is any ConditionalSampling.Type })
                }
                guard (0..<conditional.classCount).contains(label) else {
                    throw ValidationError("--class \(label) is outside the model's classes 0..<\(conditional.classCount)")
                }
                samples = conditional.sample(count: count, class: label, generator: RandomGenerator(seed: seed))
            } else {
                samples = model.sample(count: count, generator: RandomGenerator(seed: seed))
            }
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

/// A trained run, restored: the model from its checkpoint, its kind and the dataset it trained on.
struct LoadedRun {
    let model: any GenerativeModel
    let kind: String
    /// The dataset recorded in the run folder's config.json (mnist when there is none).
    let dataset: String

    /// Restores the run in a run folder, or the model in a checkpoint file.
    init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else { throw ValidationError("\(path) does not exist; pass a run folder such as runs/dcgan") }
        let file = isDirectory.boolValue ? RunFolder(path).lastCheckpoint.path : path
        guard FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("\(path) has no checkpoint at \(file); train it first with mirage train")
        }
        let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: file))
        let header = try TrainingCheckpoint.header(checkpoint, path: file)
        model = try ModelRegistry.make(kind: header.kind, configuration: header.config)
        try TrainingCheckpoint.restore(model, from: checkpoint, path: file)
        kind = header.kind
        let folder = isDirectory.boolValue ? RunFolder(path) : RunFolder(URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().path)
        dataset = folder.storedDataset ?? "mnist"
    }
}
