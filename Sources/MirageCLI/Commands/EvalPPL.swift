import ArgumentParser
import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageTensor

extension Mirage.Eval {
    /// `mirage eval ppl <run>`: the perceptual path length of a model's intermediate latent space.
    struct PPL: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            commandName: "ppl",
            abstract: "Perceptual path length in a model's intermediate latent space W, with the judge's features.",
            discussion: """
            For models with an intermediate latent space (\(ModelRegistry.names { $0 is any IntermediateLatentModel.Type }.joined(separator: ", "))): \
            --pairs pairs of random w, a random point t on the line between each pair and one a step \
            ε further, the squared distance between the judge's 128 features of the two images \
            divided by ε², averaged over the pairs between the 1st and 99th percentiles (Karras et \
            al., 2019, with the judge's features in place of LPIPS on VGG-16: the numbers compare \
            runs under the same judge, not with the paper's). Images without noise inputs, from \
            the moving average of the generator.

            Examples:
              mirage eval ppl runs/stylegan
              mirage eval ppl runs/stylegan --pairs 1000 --json
            """
        ) }

        @Argument(help: ArgumentHelp("The run folder or checkpoint file.", valueName: "run"))
        var runPath: String

        @Option(help: "Pairs of latents.")
        var pairs: Int = 10_000

        @Option(help: "The step ε along the line between a pair.")
        var epsilon: Float = 1e-4

        @Option(help: "Seed of the latents and the points on their lines.")
        var seed: UInt64 = 0

        @Option(help: ArgumentHelp("The judge classifier (default: the shipped Data/judge/mnist-judge.safetensors).", valueName: "path"))
        var judge: String?

        @Flag(help: "Print the result as JSON.")
        var json = false

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard pairs >= 1 else { throw ValidationError("--pairs must be at least 1, got \(pairs)") }
            guard epsilon > 0, epsilon <= 0.1 else { throw ValidationError("--epsilon must lie in (0, 0.1], got \(epsilon)") }
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            guard let model = run.model as? any IntermediateLatentModel else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "intermediate latent space",
                                        modelsWithIt: ModelRegistry.names { $0 is any IntermediateLatentModel.Type })
            }
            let judgeModel = try MNISTJudge.load(path: judge, reading: model, of: runPath)
            model.setTraining(false)
            let start = Date()
            let result = PerceptualPathLength.measure(
                pairs: pairs, epsilon: epsilon, generator: RandomGenerator(seed: seed),
                endpoints: { n, g in
                    (model.intermediate(Tensor.randn([n, model.noiseSize], generator: g)),
                     model.intermediate(Tensor.randn([n, model.noiseSize], generator: g)))
                },
                render: { model.images(intermediate: $0) }, features: { judgeModel.features($0) })
            let record: [String: Any] = ["ppl": result.value, "pairs": result.pairs, "kept": result.kept, "epsilon": Double(epsilon),
                                         "space": "w", "features": "judge", "seconds": Date().timeIntervalSince(start)]
            try run.folder.recordEvaluation("ppl", record)
            if json {
                print(String(decoding: try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]), as: UTF8.self))
            } else {
                print(String(format: "perceptual path length (W, judge features)  %.2f", result.value))
                print(String(format: "%d pairs, %d between the 1st and 99th percentiles, ε = %g, %.0f s", result.pairs, result.kept,
                             Double(epsilon), Date().timeIntervalSince(start)))
            }
        }
    }
}
