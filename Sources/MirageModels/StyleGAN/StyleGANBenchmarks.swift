import MirageData
import MirageTensor

// StyleGAN's steps for `mirage bench`: a plain step (the discriminator's and the generator's
// logistic losses) and a step that also takes both lazy regularisers, R1 and the path length,
// as step 0 of a run does. A run's average step is (12 plain + 3 with the path length + 1 with
// both) / 16.
extension StyleGANKind {
    public static var benchmarks: [ModelBenchmark] {
        func step(_ name: String, _ summary: String, at step: Int) -> ModelBenchmark {
            ModelBenchmark(name, summary, repetitions: step == 0 ? .fewer : .standard) { seed in
                var config = StyleGAN.Config()
                config.seed = seed
                let model = StyleGAN(config)
                let input = StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed)))
                let context = StepContext(step: step, epoch: 0, stepsPerEpoch: 16, totalSteps: 16)
                return { model.trainStep(input, context: context)["loss_d"]! }
            }
        }
        return [step("stylegan", "StyleGAN2 at 32×32 (w 128, 8 mapping layers, 128-128-64-32 channels); D and G logistic step", at: 1),
                step("stylegan_regularised", "the same step with lazy R1 and path-length regularisation (step 0 of a run)", at: 0)]
    }
}
