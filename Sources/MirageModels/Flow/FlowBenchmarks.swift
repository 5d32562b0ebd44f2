import MirageData
import MirageNN
import MirageTensor

extension RealNVPKind {
    /// `realnvp`: the benchmark's fully connected RealNVP (six affine couplings on 784-d vectors),
    /// the flow of shared/BENCHMARKS.md, not `mirage train realnvp`'s multi-scale network.
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("realnvp", "6 affine couplings on 784-d, MLP 784-512-512-1568, exact NLL") { seed in
            let g = RandomGenerator(seed: seed)
            let data = (ModelBenchmark.batch(g).reshaped([ModelBenchmark.batchSize, 784]) + 1) * 0.5
            let flow = MLPCouplingFlow(generator: g)
            let opt = Adam(flow.trainableParameters(), learningRate: 1e-3), updater = Updater()
            return {
                let loss = flow.negativeLogLikelihood(data).mean()
                updater.minimize(loss, with: opt)
                return loss.item
            }
        }]
    }
}

extension GlowKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("glow", "mirage train glow's step: 2 levels × 8 steps (actnorm, 1×1 conv, coupling 128), exact NLL") { seed in
            var config = Glow.Config()
            config.seed = seed
            let input = StepInput(images: (ModelBenchmark.batch(RandomGenerator(seed: seed)) + 1) * 0.5)
            return ModelBenchmark.trainingStep(Glow(config), input, loss: "bits_per_dim")
        }]
    }
}
