import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageNN
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval translation`: how well a translation run (or another program's outputs) does on the test split.
    struct Translation: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "translation",
            abstract: "Score a translation run (\(ModelRegistry.names { $0 is any TranslationModel.Type }.joined(separator: ", "))) on its test split: the judge's accuracy, L1, PSNR, Fréchet distance, cycle L1.",
            discussion: """
            Translates the first --count test images of each domain the run takes, in each \
            direction it translates, and reports per direction: the judge's accuracy on the \
            outputs against the source images' labels (when outputs are 28×28 gray digits and the \
            data are labelled), the Fréchet distance of the outputs' judge features to the target \
            domain's test images (likewise), L1 and PSNR (pixels in [0, 1]) against the true \
            targets when the data are pairs, and for a two-way model the round trip's judge \
            accuracy and cycle L1 against the source. --save DIR writes the outputs as \
            a-to-b.npy, b-to-a.npy, a-to-b-to-a.npy and b-to-a-to-b.npy.

            Instead of a run, --outputs DIR scores such files written by another program (the \
            PyTorch peer) on --dataset NAME (pairs) or --domain-a/--domain-b, with the same code.

            Examples:
              mirage eval translation runs/pix2pix
              mirage eval translation runs/cyclegan --json --save runs/cyclegan/test-outputs
              mirage eval translation --outputs peer-pix2pix --dataset mnist-edges
              mirage eval translation --outputs peer-cyclegan --domain-a mnist --domain-b mnist-colored
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder or checkpoint file.", valueName: "run"))
        var runPath: String?

        @Option(help: ArgumentHelp("Score the .npy files in this folder instead of a run.", valueName: "dir"))
        var outputs: String?

        @Option(help: ArgumentHelp("With --outputs: the paired dataset they were translated from.", valueName: "name|path"))
        var dataset: String?

        @Option(help: ArgumentHelp("With --outputs: domain A (of two unpaired domains).", valueName: "name|path"))
        var domainA: String?

        @Option(help: ArgumentHelp("With --outputs: domain B.", valueName: "name|path"))
        var domainB: String?

        @Option(help: ArgumentHelp("Write a run's outputs into this folder as .npy files.", valueName: "dir"))
        var save: String?

        @Option(help: "Judge weights file or folder (default: Data/judge/mnist-judge.safetensors, searched).")
        var judge: String?

        @OptionGroup var testSet: TestSetOptions

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            if runPath == nil && outputs == nil { throw ValidationError("give a run folder, or --outputs DIR with another program's translations") }
            if let runPath, outputs != nil { throw ValidationError("give a run (\(runPath)) or --outputs DIR, not both") }
            if outputs != nil {
                guard (dataset != nil) != (domainA != nil && domainB != nil) else {
                    throw ValidationError("--outputs needs the data they came from: --dataset NAME (pairs) or --domain-a and --domain-b")
                }
            } else if dataset != nil || domainA != nil || domainB != nil {
                throw ValidationError("--dataset, --domain-a and --domain-b go with --outputs; a run is scored on its own data")
            }
        }

        func run() throws {
            threads.apply()
            let judgeModel = try MNISTJudge.load(path: judge)
            let report: [String: [String: Double]]
            if let outputs {
                let data = try dataset.map { try TrainingData.load($0, shape: .pairs, dataDirectory: testSet.dataDir) }
                    ?? TrainingData.domains(domainA!, domainB!, dataDirectory: testSet.dataDir)
                let split = TranslationTestSplit(data.test, count: testSet.count)
                // Translations of the split's images of `source`, as images of `target`'s shape, cut to the split's count.
                func file(_ name: String, of source: ImageDataset, into target: ImageDataset) throws -> Tensor? {
                    let path = (outputs as NSString).appendingPathComponent(name)
                    guard FileManager.default.fileExists(atPath: path) else { return nil }
                    let images = try TranslationInput.read(path, shape: [target.channels, target.height, target.width])
                    guard images.shape[0] >= source.count else {
                        throw ValidationError("\(path) holds \(images.shape[0]) images; the test split has \(source.count) (use --count)")
                    }
                    return images.sliced(axis: 0, 0..<source.count)
                }
                var found: [TranslationDirection: (Tensor, Tensor?)] = [:]
                for d in TranslationDirection.allCases {
                    let (source, target) = d == .aToB ? (split.a, split.b) : (split.b, split.a)
                    if let out = try file("\(d.rawValue).npy", of: source, into: target) {
                        found[d] = (out, try file("\(d.rawValue)-to-\(d.reversed.rawValue.suffix(1)).npy", of: source, into: source))
                    }
                }
                guard !found.isEmpty else {
                    throw ValidationError("\(outputs) holds neither a-to-b.npy nor b-to-a.npy")
                }
                report = try split.score(found, judge: judgeModel)
            } else {
                let run = try LoadedRun(runPath!)
                guard let model = run.model as? any TranslationModel else {
                    throw MissingCapability(subject: "\(runPath!) (\(run.kind))", capability: "image translation",
                                            modelsWithIt: ModelRegistry.names { $0 is any TranslationModel.Type })
                }
                model.setTraining(false)
                let shape = try ModelRegistry.kind(named: run.kind).dataShape
                let data = try run.domains.map { try TrainingData.domains($0.a, $0.b, dataDirectory: testSet.dataDir) }
                    ?? TrainingData.load(run.dataset, shape: shape, dataDirectory: testSet.dataDir)
                let split = TranslationTestSplit(data.test, count: testSet.count)
                var found: [TranslationDirection: (Tensor, Tensor?)] = [:]
                for d in model.directions {
                    let source = split.images(d)
                    guard Array(source.shape.dropFirst()) == model.inputShape(d) else {
                        throw ValidationError("\(run.dataset)'s test images are \(source.shape.dropFirst()), but \(runPath!) translates \(model.inputShape(d))")
                    }
                    let out = model.translate(source, direction: d)
                    found[d] = (out, model.directions.contains(d.reversed) ? model.translate(out, direction: d.reversed) : nil)
                }
                if let save {
                    try FileManager.default.createDirectory(atPath: save, withIntermediateDirectories: true)
                    for (d, (out, back)) in found {
                        try NPY.write(NPYArray(out), to: (save as NSString).appendingPathComponent("\(d.rawValue).npy"))
                        if let back { try NPY.write(NPYArray(back), to: (save as NSString).appendingPathComponent("\(d.rawValue)-to-\(d.reversed.rawValue.suffix(1)).npy")) }
                    }
                }
                report = try split.score(found, judge: judgeModel)
            }
            if testSet.json {
                let data = try JSONSerialization.data(withJSONObject: report, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                let names = ["count": "images", "judge_accuracy": "judge accuracy", "frechet_distance": "Fréchet distance",
                             "l1": "L1 to target", "psnr": "PSNR to target (dB)", "round_trip_accuracy": "round trip judge accuracy",
                             "cycle_l1": "cycle L1"]
                for d in report.keys.sorted() {
                    print(d)
                    for (k, v) in report[d]!.sorted(by: { $0.key < $1.key }) {
                        print("  \((names[k] ?? k).padding(toLength: 28, withPad: " ", startingAt: 0)) \(k == "count" ? String(Int(v)) : String(format: "%.4f", v))")
                    }
                }
            }
        }
    }
}

/// The test images of a translation task and the scores of outputs on them.
struct TranslationTestSplit {
    let a: ImageDataset
    let b: ImageDataset
    /// Whether image i of A and image i of B are a pair.
    let paired: Bool

    init(_ set: TrainingSet, count: Int) {
        func first(_ d: ImageDataset) -> ImageDataset { d.subset(Array(0..<min(count, d.count))) }
        switch set {
        case let .pairs(p): (a, b, paired) = (first(p.a), first(p.b), true)
        case let .unpaired(u): (a, b, paired) = (first(u.a), first(u.b), false)
        default: preconditionFailure("TranslationTestSplit: not translation data")
        }
    }

    /// The source images of a direction, in [0, 1].
    func images(_ d: TranslationDirection) -> Tensor {
        let source = d == .aToB ? a : b
        return source.tensor(indices: Array(0..<source.count))
    }

    /// Per direction: the scores of its outputs (and round trips).
    func score(_ found: [TranslationDirection: (Tensor, Tensor?)], judge: MNISTJudge) throws -> [String: [String: Double]] {
        var report: [String: [String: Double]] = [:]
        for (d, (out, back)) in found {
            let source = d == .aToB ? a : b, target = d == .aToB ? b : a
            guard out.shape[0] == source.count, out.rank == 4, out.shape[2] == source.height, out.shape[3] == source.width else {
                throw ValidationError("the \(d.rawValue) outputs have shape \(out.shape), but there are \(source.count) test images of \(source.height)×\(source.width)")
            }
            var r: [String: Double] = ["count": Double(source.count)]
            let digits = Array(out.shape.dropFirst()) == [1, 28, 28]
            if digits, source.classCount > 1 { r["judge_accuracy"] = judge.accuracy(images: out, labels: source.labels.prefix(source.count).map { $0 }) }
            if digits, target.sampleShape == [1, 28, 28] {
                let real = judge.evaluate(target.tensor(indices: Array(0..<target.count))).features
                r["frechet_distance"] = FrechetDistance.between(Gaussian(fitting: judge.evaluate(out).features), Gaussian(fitting: real))
            }
            if paired, out.shape[1] == target.channels {
                let truth = target.tensor(indices: Array(0..<target.count))
                r["l1"] = Double((out - truth).abs().mean().item)
                let mse = ((out - truth) * (out - truth)).mean(axes: [1, 2, 3]).scalars
                r["psnr"] = mse.map { 10 * log10(1 / Double(max($0, 1e-10))) }.reduce(0, +) / Double(mse.count)
            }
            if let back {
                let x = images(d)
                guard back.shape == x.shape else {
                    throw ValidationError("the \(d.rawValue) round trips have shape \(back.shape), but the sources have \(x.shape)")
                }
                r["cycle_l1"] = Double((back - x).abs().mean().item)
                if Array(back.shape.dropFirst()) == [1, 28, 28], source.classCount > 1 {
                    r["round_trip_accuracy"] = judge.accuracy(images: back, labels: Array(source.labels.prefix(source.count)))
                }
            }
            report[d.rawValue] = r
        }
        return report
    }
}
