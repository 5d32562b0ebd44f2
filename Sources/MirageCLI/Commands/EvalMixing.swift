import ArgumentParser
import Foundation
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval mixing <run>`: which styles carry the digit, read by the judge.
    struct Mixing: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "mixing",
            abstract: "Style mixing: whether the coarse or the fine styles carry the class, read by the judge.",
            discussion: """
            For models that mix styles (\(ModelRegistry.names { $0 is any StyleMixingModel.Type }.joined(separator: ", "))): \
            --count latents of seed S (--seed) and as many of seed T (--mix-seed), drawn as \
            `mirage sample RUN --seed S --mix-seed T --mix coarse|fine` draws them. The judge reads \
            the class of each source image and of the two mixes: the image of S with T's coarse \
            styles, and the image of S with T's fine styles. Printed: the share of coarse mixes \
            read as T's class and of fine mixes read as S's class (the paper's finding: the coarse \
            styles carry pose and shape, the fine ones stroke), each also over the pairs whose \
            sources the judge reads as different classes, where carrying the class is not a tie.

            Examples:
              mirage eval mixing runs/stylegan
              mirage eval mixing runs/stylegan --count 1000 --truncation 0.7 --json
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @Option(help: "Pairs of latents.")
        var count: Int = 1000

        @Option(help: ArgumentHelp("Seed of the source latents S.", valueName: "S"))
        var seed: UInt64 = 0

        @Option(help: ArgumentHelp("Seed of the latents T whose styles are mixed in.", valueName: "T"))
        var mixSeed: UInt64 = 1

        @Option(help: ArgumentHelp("Truncation ψ in (0, 2].", valueName: "ψ"))
        var truncation: Float = 1

        @Option(help: ArgumentHelp("Noise inputs: random (as mirage sample draws) or zero.", valueName: "random|zero"))
        var noise: String = "random"

        @Option(help: ArgumentHelp("The judge classifier (default: the shipped Data/judge/mnist-judge.safetensors).", valueName: "path"))
        var judge: String?

        @Flag(help: "Print the result as JSON.")
        var json = false

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard (1...100_000).contains(count) else { throw ValidationError("--count must lie in 1...100000, got \(count)") }
            guard truncation > 0, truncation <= 2 else { throw ValidationError("--truncation must lie in (0, 2], got \(truncation)") }
            guard NoiseInputMode(rawValue: noise) != nil else { throw ValidationError("--noise must be random or zero, got \(noise)") }
            guard seed != mixSeed else { throw ValidationError("--seed and --mix-seed are both \(seed): the mixes would be the sources") }
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            guard let model = run.model as? any StyleMixingModel else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "style mixing",
                                        modelsWithIt: ModelRegistry.names { $0 is any StyleMixingModel.Type })
            }
            guard model.hasFineStyles else {
                throw ValidationError("\(runPath): its images are too small to have fine styles apart from the coarse ones")
            }
            let judgeModel = try MNISTJudge.load(path: judge, reading: model, of: runPath)
            model.setTraining(false)
            let mode = NoiseInputMode(rawValue: noise) ?? .random
            let start = Date()
            let s = Tensor.randn([count, model.noiseSize], generator: RandomGenerator(seed: seed))
            let t = Tensor.randn([count, model.noiseSize], generator: RandomGenerator(seed: mixSeed))
            // One noise stream for the four images of a pair, so that only the styles differ between them.
            func classes(_ source: Tensor, _ other: Tensor, _ rows: StyleRows) -> [Int] {
                let images = model.mixed(source: source, other: other, rows: rows, psi: truncation, noise: mode,
                                         generator: RandomGenerator(seed: seed &+ 0x5eed))
                return judgeModel.evaluate(images).probabilities.argmax(axis: 1).scalars.map { Int($0) }
            }
            let classOfS = classes(s, s, .coarse), classOfT = classes(t, t, .coarse)
            let coarseMix = classes(s, t, .coarse), fineMix = classes(s, t, .fine)
            let shares = StyleMixingShares(source: classOfS, other: classOfT, coarseFromOther: coarseMix, fineFromOther: fineMix)
            func number(_ x: Double) -> Any { x.isNaN ? NSNull() : x }
            let record: [String: Any] = [
                "coarse_reads_t": shares.coarseReadsOther, "coarse_reads_s": shares.coarseReadsSource,
                "fine_reads_s": shares.fineReadsSource, "fine_reads_t": shares.fineReadsOther,
                "differing_pairs": shares.differingPairs,
                "differing_coarse_reads_t": number(shares.differingCoarseReadsOther),
                "differing_fine_reads_s": number(shares.differingFineReadsSource),
                "count": count, "seed": Int(seed), "mix_seed": Int(mixSeed), "truncation": Double(truncation), "noise": noise,
                "seconds": Date().timeIntervalSince(start),
            ]
            try run.folder.recordEvaluation("mixing", record)
            if json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self))
                return
            }
            func f(_ x: Double) -> String { String(format: "%.3f", x) }
            print("style mixing of \(count) pairs (seeds \(seed) and \(mixSeed), ψ \(truncation), noise \(noise)), classes read by the judge")
            print("S with T's coarse styles read as T's class  \(f(shares.coarseReadsOther))   (as S's \(f(shares.coarseReadsSource)))")
            print("S with T's fine styles read as S's class    \(f(shares.fineReadsSource))   (as T's \(f(shares.fineReadsOther)))")
            print("over the \(shares.differingPairs) pairs whose sources differ in class: \(f(shares.differingCoarseReadsOther)) and \(f(shares.differingFineReadsSource))")
        }
    }
}
