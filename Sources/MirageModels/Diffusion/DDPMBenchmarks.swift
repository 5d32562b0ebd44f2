import MirageData
import MirageNN
import MirageTensor

extension DDPMKind {
    /// `ddpm_unet` (the smaller TimeUNet's bare noise-prediction step), `ddpm` (`mirage train
    /// ddpm`'s own step) and `ddpm_ddim50_sample` (DDIM-50 through the TimeUNet).
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("ddpm_unet", "time-conditioned U-Net 32-64-128, GroupNorm, SiLU, skips; noise-prediction MSE") { seed in
            let g = RandomGenerator(seed: seed)
            let x = ModelBenchmark.batch(g)
            let unet = TimeUNet(generator: g)
            let opt = Adam(unet.trainableParameters(), learningRate: 2e-4)
            let schedule = NoiseSchedule.linear(), updater = Updater()
            return {
                let loss = schedule.noisePredictionLoss(unet, x, generator: g)
                updater.minimize(loss, with: opt)
                return loss.item
            }
        },
         ModelBenchmark("ddpm", "mirage train ddpm's step: ResidualUNet 32-64-64 with attention at 7×7, clipping, EMA") { seed in
            var config = DDPM.Config()
            config.seed = seed
            return ModelBenchmark.trainingStep(DDPM(config), StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed))), loss: "loss")
        },
         ModelBenchmark("ddpm_ddim50_sample", "64 images by DDIM (50 steps, η = 0) through the ddpm_unet network, no gradients",
                        repetitions: .fewer) { seed in
            let g = RandomGenerator(seed: seed)
            _ = ModelBenchmark.batch(g)   // the peer draws its batch first here too
            let unet = TimeUNet(generator: g)
            let schedule = NoiseSchedule.linear()
            return {
                withNoGrad {
                    DiffusionSampler.ddim(steps: 50, eta: 0).run(schedule: schedule, from: Tensor.randn([ModelBenchmark.batchSize, 1, 28, 28], generator: g),
                                                                 generator: g) { unet($0, timesteps: $1) }.mean().item
                }
            }
        }]
    }
}
