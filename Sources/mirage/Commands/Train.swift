import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN

extension Mirage {
    /// `mirage train <model>`: trains a model on MNIST with the shared loop.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Train a generative model on MNIST.",
            discussion: """
            Models:
            \(ModelRegistry.kinds.map { "  \($0.name.padding(toLength: 8, withPad: " ", startingAt: 0))\($0.summary)" }.joined(separator: "\n"))

            The run folder gets config.json, checkpoints/last.safetensors, samples/epoch-NNN.png \
            (sheets at fixed noise), metrics.jsonl and loss.png. Ctrl-C saves a checkpoint; \
            --resume continues exactly where the run stopped.

            Examples:
              mirage train dcgan --epochs 5 --out runs/dcgan
              mirage train vae --epochs 10 --batch-size 128 --lr 1e-3
              mirage train dae --noise masking --steps 2000
              mirage train dcgan --out runs/dcgan --resume
            """
        )

        @Argument(help: "The model: \(ModelRegistry.kinds.map(\.name).joined(separator: ", ")).")
        var model: String

        @Option(help: "Passes over the training set (ignored with --steps).")
        var epochs: Int = 5

        @Option(help: "Stop after this many steps instead of whole epochs.")
        var steps: Int?

        @Option(help: "Images per batch.")
        var batchSize: Int = 64

        @Option(help: "Learning rate (default: the model's own: 1e-3 for ae, dae, vae; 2e-4 for gan, dcgan).")
        var lr: Float?

        @Option(help: "Seed of the initial weights, data order, noise and sheets.")
        var seed: UInt64 = 0

        @Option(help: "Run folder (default: runs/<model>).")
        var out: String?

        @Flag(help: "Continue the run in --out from its last checkpoint.")
        var resume = false

        @Option(help: "Save a checkpoint every this many steps (and always at the end and on Ctrl-C).")
        var checkpointEvery: Int = 1000

        @Option(help: "Append to metrics.jsonl every this many steps.")
        var logEvery: Int = 50

        @Option(help: "Code size (ae, dae, vae) or noise size (gan, dcgan); default: the model's own.")
        var latent: Int?

        @Option(help: "Corruption of the denoising autoencoder: gaussian (σ 0.5) or masking (half the pixels).")
        var noise: String = "gaussian"

        @Flag(help: "VAE: Gaussian decoder on continuous pixels instead of Bernoulli on binarised ones.")
        var gaussianDecoder = false

        @Option(help: "Train on only the first N training images.")
        var subset: Int?

        @Option(help: "Folder holding the mnist/ dataset (default: the bundled copy).")
        var dataDir: String?

        func validate() throws {
            guard ModelRegistry.kinds.contains(where: { $0.name == model }) else {
                throw ValidationError("unknown model '\(model)'; choose one of \(ModelRegistry.kinds.map(\.name).joined(separator: ", "))")
            }
            guard batchSize > 0 else { throw ValidationError("--batch-size must be positive, got \(batchSize)") }
            guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
            if let steps { guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") } }
            if let lr { guard lr > 0 && lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") } }
            guard checkpointEvery > 0, logEvery > 0 else { throw ValidationError("--checkpoint-every and --log-every must be positive") }
            guard ["gaussian", "masking"].contains(noise) else {
                throw ValidationError("--noise must be gaussian or masking, got \(noise)")
            }
            if let subset { guard subset >= batchSize else { throw ValidationError("--subset must hold at least one batch (\(batchSize) images)") } }
        }

        func run() throws {
            let runFolder = RunFolder(out ?? "runs/\(model)")
            var configuration: Data?
            if resume {
                // The stored configuration wins: a resumed run is the same model.
                let file = try Checkpoint.read(from: runFolder.lastCheckpoint)
                configuration = try TrainingCheckpoint.header(file, path: runFolder.lastCheckpoint.path).config
            }
            let built = try ModelRegistry.make(kind: model, configuration: configuration) { d in
                d.seed = seed
                d.learningRate = lr
                d.latent = latent
                d.corruption = noise == "masking" ? .masking(probability: 0.5) : .gaussian(std: 0.5)
                d.gaussianDecoder = gaussianDecoder
            }
            var options = TrainingOptions()
            options.epochs = epochs
            options.steps = steps
            options.batchSize = batchSize
            options.seed = seed
            options.checkpointEvery = checkpointEvery
            options.logEvery = logEvery
            options.trainingSubset = subset
            let trainer = Trainer(model: built, kind: model, train: try ImageDataset.mnist(split: .train, dataDirectory: dataDir),
                                  test: try ImageDataset.mnist(split: .test, dataDirectory: dataDir), run: runFolder,
                                  options: options)
            print("training \(model) (\(built.networks.map { "\($0.0): \($0.1.parameterCount) parameters" }.joined(separator: ", "))) into \(runFolder.root.path)")
            let losses = try trainer.run(resume: resume)
            print("done: \(losses.sorted { $0.key < $1.key }.map { String(format: "%@ %.4f", $0.key, $0.value) }.joined(separator: ", "))")
            print("samples: \(runFolder.samples.path)/, curves: \(runFolder.lossPlot.path), checkpoint: \(runFolder.lastCheckpoint.path)")
        }
    }
}
