import MirageData
import MirageTensor

extension VAEKind {
    /// `vae`: the MLP VAE's step on a fixed binary batch, timed 5× as often (it is quick).
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("vae", "MLP VAE 784-400-20, Bernoulli decoder, ELBO, Adam", repetitions: .times(5)) { seed in
            var config = VAE.Config()
            config.seed = seed
            let vae = VAE(config), context = ModelBenchmark.context
            let input = StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed)) .> 0)
            return { -vae.trainStep(input, context: context)["elbo"]! }
        }]
    }
}
