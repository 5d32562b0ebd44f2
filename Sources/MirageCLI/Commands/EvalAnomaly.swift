import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval anomaly <run>`: how well a model's scores single out a class it never saw.
    struct Anomaly: ParsableCommand {
        /// The kinds whose models offer `score`, from the registry.
        static func kinds(_ score: AnomalyScore) -> String { score.kindsWithIt.joined(separator: ", ") }

        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "anomaly",
            abstract: "Anomaly detection: AUROC and average precision of a model's anomaly scores for a held-out class.",
            discussion: """
            The leave-one-class-out protocol (GANomaly, Akcay et al. 2018): train on every class \
            but K (mirage train ... --exclude-class K), score every test image, and measure how \
            well the scores rank the images of class K above the rest. AUROC 1 separates \
            perfectly, 0.5 is chance, below 0.5 the model finds the anomalies more normal than \
            the normal images.

            Scores (higher = more anomalous): recon, the reconstruction MSE (\(kinds(.reconstruction))); elbo, \
            the negative ELBO of one posterior draw (\(kinds(.elbo))); nll, −log p(x) in nats (\(kinds(.nll)): \
            exact for flows and autoregressive models, a bound for latent-variable and diffusion \
            models, with --samples importance samples where the bound tightens with them); \
            complexity, −log₂ p(x) minus the bits of the image's PNG encoding (Serrà et al. \
            2020: corrects the likelihood's preference for simple images, such as a held-out \
            1); fanogan, f-AnoGAN's image + feature residual through an encoder trained to invert \
            the generator (\(kinds(.fanogan)), with a discriminator that exposes its features). The f-AnoGAN encoder \
            trains on the run's own training images (class K left out, --encoder-steps steps) \
            the first time and is kept in the run folder as anomaly/fanogan-encoder.safetensors. \
            Binary models score the test images binarised by one seeded draw, as eval nll does.

            --anomalies train takes the anomalies from the training split instead: the \
            training images of class K, which a run trained without K never saw, against the \
            test images of the other classes (the protocol of L. Tonnaer's PhD thesis, \
            chapter 3). --scores then holds the normal test images' scores in test-set order \
            followed by class K's training images' in training-set order.

            Examples:
              mirage train vae --exclude-class 1 --out runs/vae-no1
              mirage eval anomaly runs/vae-no1 --score nll --samples 100
              mirage eval anomaly runs/vae-no1 --score complexity
              mirage eval anomaly runs/ae-no7 --anomaly-class 7 --json
              mirage eval anomaly runs/dcgan-no3 --score fanogan --scores scores.npy
              mirage eval anomaly runs/cvae-no3 --score recon --anomalies train
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @Option(help: ArgumentHelp("The anomaly class (default: the class the run was trained without).", valueName: "K"))
        var anomalyClass: Int?

        @Option(help: ArgumentHelp("recon, elbo, nll, complexity or fanogan (default: the first the model offers, its natural score: the bound it trains on, its likelihood, its reconstruction error, or f-AnoGAN's for a GAN).",
                                   valueName: "name"))
        var score: AnomalyScore?

        @Option(help: ArgumentHelp("Where the anomalies come from: test (class K's test images) or train (class K's training images, against the other classes' test images).",
                                   valueName: "split"))
        var anomalies: AnomalySplit = .test

        @Option(help: "Importance samples per image for --score nll or complexity of a model whose likelihood is a bound that tightens with them.")
        var samples: Int = 100

        @Option(help: "Training steps of the f-AnoGAN encoder.")
        var encoderSteps: Int = 3000

        @Option(help: ArgumentHelp("Write the scores as a .npy, one per test image in test-set order.", valueName: "npy"))
        var scores: String?

        @OptionGroup var testSet: TestSetOptions

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard samples > 0 else { throw ValidationError("--samples must be positive, got \(samples)") }
            guard encoderSteps > 0 else { throw ValidationError("--encoder-steps must be positive, got \(encoderSteps)") }
            if let anomalyClass, anomalyClass < 0 { throw ValidationError("--anomaly-class must be a class number ≥ 0, got \(anomalyClass)") }
            if let scores, !scores.hasSuffix(".npy") { throw ValidationError("--scores writes a .npy file; got \(scores)") }
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            let trained = run.folder.storedTrainingOptions ?? TrainingOptions()
            guard let k = anomalyClass ?? trained.excludedClass else {
                throw ValidationError("\(runPath) was trained on every class: pass --anomaly-class K, or train with --exclude-class K so that K is an anomaly it never saw")
            }
            let available = AnomalyScore.available(for: run.model)
            guard let chosen = score ?? available.first else {
                let scoring = ModelRegistry.names { !$0.anomalyScores.isEmpty }
                throw ValidationError("\(runPath) (\(run.kind)) has no anomaly score; models with one: \(scoring.joined(separator: ", "))")
            }
            guard available.contains(chosen) else {
                let why = AnomalyScore.unavailableReason(chosen, run.model).map { " (it has \($0))" } ?? ""
                throw ValidationError("\(runPath) (\(run.kind)) has no \(chosen.rawValue) score\(why); its scores: \(available.map(\.rawValue).joined(separator: ", ")); \(chosen.rawValue) is for \(chosen.kindsWithIt.joined(separator: ", "))")
            }
            var test = try testSet.images(for: run)
            guard test.classCount > 1 else { throw ValidationError("\(run.dataset) has no class labels, so no class can be the anomaly") }
            guard (0..<test.classCount).contains(k) else {
                throw ValidationError("--anomaly-class \(k) is not a class of \(run.dataset), whose classes are 0...\(test.classCount - 1)")
            }
            if let excluded = trained.excludedClass, excluded != k {
                FileHandle.standardError.write(Data("note: \(runPath) was trained without class \(excluded), so class \(k) is not new to it\n".utf8))
            } else if trained.excludedClass == nil {
                FileHandle.standardError.write(Data("note: \(runPath) was trained on every class, class \(k) included\n".utf8))
            }
            if anomalies == .train {
                guard trained.excludedClass == k else {
                    throw ValidationError("--anomalies train scores the training images of class \(k), which \(runPath) trained on; train with --exclude-class \(k)")
                }
                test = try heldOutTrainingImages(of: k, for: run, after: test.subset(test.labels.indices.filter { test.labels[$0] != k }))
            }
            let isAnomaly = test.labels.map { $0 == k }
            guard isAnomaly.contains(true), isAnomaly.contains(false) else {
                let split = anomalies == .train ? "the scored images (\(test.count): the normal test images and class \(k)'s training images)" : "the first \(test.count) test images"
                throw ValidationError("\(split) hold \(isAnomaly.contains(true) ? "only" : "no") images of class \(k); raise --count")
            }
            run.model.setTraining(false)
            let fanogan = chosen == .fanogan ? try encoder(for: run, trained: trained) : nil

            let start = Date()
            let g = RandomGenerator(seed: testSet.seed)
            var values: [Float] = []
            values.reserveCapacity(test.count)
            while values.count < test.count {
                let m = min(200, test.count - values.count)
                let x = test.tensor(indices: Array(values.count..<(values.count + m)))
                values += try chosen.scores(x, model: run.model, samples: samples, generator: g, fanogan: fanogan).scalars
            }
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ValidationError("\(runPath) gave test image \(bad) a non-finite \(chosen.rawValue) score (\(values[bad])); the checkpoint may be diverged")
            }
            if let scores { try NPY.write(NPYArray(shape: [values.count], values: .float32(values)), to: scores) }
            let metrics = AnomalyDetectionMetrics(scores: values.map(Double.init), isAnomaly: isAnomaly)
            var perClass = [Double](repeating: 0, count: test.classCount), counts = [Int](repeating: 0, count: test.classCount)
            for (v, label) in zip(values, test.labels) {
                perClass[label] += Double(v)
                counts[label] += 1
            }
            let means = zip(perClass, counts).map { $1 > 0 ? $0 / Double($1) : .nan }
            let seconds = Date().timeIntervalSince(start)
            var result: [String: Any] = [
                "run": runPath, "kind": run.kind, "dataset": run.dataset, "anomaly_class": k, "score": chosen.rawValue,
                "anomalies_from": anomalies.rawValue,
                "auroc": metrics.areaUnderROC, "average_precision": metrics.averagePrecision,
                "anomalies": metrics.anomalyCount, "normals": metrics.normalCount,
                "mean_score_by_class": means.map { $0.isNaN ? NSNull() : $0 as Any }, "seconds": seconds,
            ]
            if let excluded = trained.excludedClass { result["excluded_class"] = excluded }
            if chosen == .nll || chosen == .complexity { result["samples"] = samples }
            if chosen == .fanogan { result["encoder_steps"] = encoderSteps }
            try run.folder.recordEvaluation("anomaly-\(chosen.rawValue)-class\(k)\(anomalies == .train ? "-train" : "")", result)
            if testSet.json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: result, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            print("anomaly class \(k) of \(run.dataset), score: \(chosen.phrase)")
            if anomalies == .train { print("anomalies: class \(k)'s training images; normals: the other classes' test images") }
            print(String(format: "AUROC              %.4f", metrics.areaUnderROC))
            print(String(format: "average precision  %.4f  (chance %.4f)", metrics.averagePrecision,
                         Double(metrics.anomalyCount) / Double(test.count)))
            print("mean score by class:")
            for (label, mean) in means.enumerated() where counts[label] > 0 {
                print(String(format: "  %2d%@  %10.4f  (%d images)", label, label == k ? "*" : " ", mean, counts[label]))
            }
            print("\(test.count) \(anomalies == .train ? "images" : "test images"), \(metrics.anomalyCount) anomalies, \(String(format: "%.0f", seconds)) s")
        }

        /// `normal` followed by the training images of class `k`: the anomalies of
        /// `--anomalies train`, which a run trained without `k` never saw.
        private func heldOutTrainingImages(of k: Int, for run: LoadedRun, after normal: ImageDataset) throws -> ImageDataset {
            let data = try TrainingData.load(run.dataset, shape: .images, dataDirectory: testSet.dataDir)
            guard let train = data.train.primary else { throw ValidationError("\(run.dataset) holds no training images") }
            return normal.appending(train.subset(train.labels.indices.filter { train.labels[$0] == k }))
        }

        /// The run's f-AnoGAN encoder: the one kept in the run folder if it was trained with these
        /// settings, else a new one trained on the run's normal training images and kept there.
        private func encoder(for run: LoadedRun, trained: TrainingOptions) throws -> FAnoGAN {
            let model = run.model as! any AdversarialModel
            let options = FAnoGAN.Options(steps: encoderSteps, seed: testSet.seed)
            let file = run.folder.fanoganEncoder
            let generator = "\(run.kind) at step \(run.step)"
            if let kept = try FAnoGAN.load(model, options: options, generator: generator, from: file) { return kept }
            let data = try TrainingData.load(run.dataset, shape: .images, dataDirectory: testSet.dataDir)
            guard case let .images(normal) = data.trainingSplit(for: trained) else {
                throw ValidationError("\(run.dataset) holds no images to train the f-AnoGAN encoder on")
            }
            guard normal.count >= options.batchSize else {
                throw ValidationError("\(runPath) trained on \(normal.count) images, fewer than one batch (\(options.batchSize)) of the f-AnoGAN encoder")
            }
            let f = FAnoGAN(model, options: options)
            let start = Date()
            f.train(count: normal.count, batch: { normal.tensor(indices: $0) }) { step, loss in
                guard step % 250 == 0 || step == encoderSteps else { return }
                let rate = Double(step) / max(Date().timeIntervalSince(start), 1e-9)
                FileHandle.standardError.write(Data(String(format: "f-AnoGAN encoder step %d/%d  loss %.4f  %.1f it/s\n",
                                                           step, encoderSteps, loss, rate).utf8))
            }
            try f.save(to: file, generator: generator)
            return f
        }
    }
}

/// Where `mirage eval anomaly` takes the anomalies from.
enum AnomalySplit: String, ExpressibleByArgument {
    /// Class K's test images, among the other classes' (GANomaly's protocol).
    case test
    /// Class K's training images, against the other classes' test images (Tonnaer's thesis).
    case train
}

extension AnomalyScore: ExpressibleByArgument {}
