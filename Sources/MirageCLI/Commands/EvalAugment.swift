import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval augment`: does a conditional generator's output help a classifier with few labels?
    struct Augment: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "augment",
            abstract: "Data augmentation: test accuracy of a classifier trained on N labelled digits, with and without a generator's synthetic ones.",
            discussion: """
            The labelled set is the first N MNIST training images (what mirage train --subset N \
            trains on). A classifier with the judge's architecture trains on them alone, and on \
            them plus --synthetic labelled images drawn from the conditional generator (an equal \
            share of each class), then is scored on the 10,000 test images; both repeat for \
            --seeds seeds (classifier weights, order, dropout and synthetic draw). Both see \
            2·max(K, N) images per epoch for --epochs epochs: the real images repeated to fill \
            it, or half of it beside the synthetic ones.

            The generator must not have seen labels the classifier does not: it must have been \
            trained on mnist with --subset M for some M ≤ N. The command refuses one trained on \
            the whole labelled training set.

            Examples:
              mirage train cgan --subset 100 --steps 3000 --out runs/cgan-100
              mirage eval augment --labelled 100 --generator runs/cgan-100 --synthetic 10000
              mirage eval augment --labelled 1000 --generator runs/cgan-1000 --seeds 3 --json
            """
        )

        @Option(help: "Labelled real images: the first N of MNIST's training split.")
        var labelled: Int = 100

        @Option(help: ArgumentHelp("A class-conditional run (cgan, or ddpm/pixelcnn trained with --conditional) trained with --subset M ≤ N.",
                                   valueName: "run"))
        var generator: String

        @Option(help: "Synthetic labelled images to add (an equal share of each class).")
        var synthetic: Int = 10_000

        @Option(help: "Seeds: classifiers per arm.")
        var seeds: Int = 3

        @Option(help: "Classifier epochs over 2·max(synthetic, labelled) images.")
        var epochs: Int = 3

        @Option(help: "Folder holding mnist/ (default: the bundled copy or $MIRAGE_DATA).")
        var dataDir: String?

        @Flag(help: "Print one JSON object instead of a table.")
        var json = false

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard (1...60_000).contains(labelled) else { throw ValidationError("--labelled must lie in 1...60000, got \(labelled)") }
            guard synthetic > 0 else { throw ValidationError("--synthetic must be positive, got \(synthetic)") }
            guard (1...100).contains(seeds) else { throw ValidationError("--seeds must lie in 1...100, got \(seeds)") }
            guard epochs > 0 else { throw ValidationError("--epochs must be positive, got \(epochs)") }
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(generator)
            guard let model = run.model as? any ConditionalSampling, model.classCount == MNISTJudge.classCount else {
                throw ValidationError("\(generator) (\(run.kind)) is not a class-conditional model of the ten digits; train one with mirage train cgan, or ddpm/pixelcnn with --conditional")
            }
            guard run.dataset == "mnist" else {
                throw ValidationError("\(generator) was trained on \(run.dataset); the classifier learns MNIST, so the generator must be trained on mnist")
            }
            let trained = run.folder.storedTrainingOptions
            guard let seen = trained?.trainingSubset, seen <= labelled else {
                let saw = trained?.trainingSubset.map { "the first \($0)" } ?? "all 60,000"
                throw ValidationError("\(generator) was trained on \(saw) labelled training images, more than the classifier's \(labelled); train it with --subset \(labelled) (or fewer) so that it sees no label the classifier does not")
            }
            let data = try TrainingData.load("mnist", shape: .images, dataDirectory: dataDir)
            guard case let .images(train) = data.train, case let .images(test) = data.test else {
                throw ValidationError("mnist holds no images")
            }
            let real = train.subset(Array(0..<labelled))
            model.setTraining(false)
            let seedList = (0..<seeds).map(UInt64.init)
            let excluded = trained?.excludedClass.map { ", class \($0) left out" } ?? ""
            let saw = "the first \(seen) MNIST training images with their labels\(excluded)"
            if !json { print("generator \(generator) (\(run.kind)) saw \(saw); the classifier sees the first \(labelled)") }
            let result = AugmentationStudy.run(labelled: real, test: test, seeds: seedList,
                                               options: JudgeTrainer.Options(epochs: epochs),
                                               log: { line in if !json { print(line); fflush(stdout) } }) { seed in
                syntheticImages(model, seed: seed)
            }
            let mean = AugmentationStudy.Result.mean, sd = AugmentationStudy.Result.standardDeviation
            if json {
                let object: [String: Any] = [
                    "generator": generator, "kind": run.kind, "generator_saw": saw, "labelled": labelled, "synthetic": synthetic,
                    "epochs": epochs, "seeds": seeds, "accuracy_without": result.withoutSynthetic, "accuracy_with": result.withSynthetic,
                    "mean_without": mean(result.withoutSynthetic), "mean_with": mean(result.withSynthetic),
                    "sd_without": sd(result.withoutSynthetic), "sd_with": sd(result.withSynthetic), "gain": result.gain,
                ]
                print(String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            print(String(format: "real only (%d labelled)         %.2f%% ± %.2f", labelled,
                         100 * mean(result.withoutSynthetic), 100 * sd(result.withoutSynthetic)))
            print(String(format: "with %d synthetic           %.2f%% ± %.2f", synthetic,
                         100 * mean(result.withSynthetic), 100 * sd(result.withSynthetic)))
            print(String(format: "gain                           %+.2f points (mean ± sd over %d seeds)", 100 * result.gain, seeds))
        }

        /// `synthetic` labelled samples of `model`, an equal share per class (the first classes one
        /// more when it does not divide), as 8-bit images.
        func syntheticImages(_ model: any ConditionalSampling, seed: UInt64) -> ImageDataset {
            let g = RandomGenerator(seed: seed &+ 1000)
            var pixels: [UInt8] = [], labels: [Int] = []
            pixels.reserveCapacity(synthetic * 784)
            for label in 0..<model.classCount {
                var remaining = synthetic / model.classCount + (label < synthetic % model.classCount ? 1 : 0)
                while remaining > 0 {
                    let m = min(500, remaining)
                    let images = model.sample(count: m, class: label, generator: g)
                    // One column without padding: the grid's rows are the images, one after another.
                    pixels += ImageGrid.make(images, nrow: 1, padding: 0).pixels
                    labels += Array(repeating: label, count: m)
                    remaining -= m
                }
            }
            return ImageDataset(name: "synthetic (\(generator))", images: pixels, labels: labels, channels: 1,
                                height: 28, width: 28, classCount: model.classCount)
        }
    }
}
