import MirageData
import MirageTensor

// The GAN family's steps for `mirage bench`: each model's own training step on a fixed batch,
// timed by its discriminator's (critic's) loss.

extension GANKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("mlp_gan", "MLP G 100-256-512-1024-784, D 784-512-256-1; one D and one G step, BCE, Adam",
                        repetitions: .times(3)) { seed in
            var config = GAN.Config(architecture: .mlp)
            config.seed = seed
            return ModelBenchmark.trainingStep(GAN(config), StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed))), loss: "loss_d")
        }]
    }
}

extension DCGANKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("dcgan", "DCGAN G fc→128×7×7→convT 64→convT 1 (BN), D conv 64→conv 128 (BN)→fc; D and G step") { seed in
            var config = GAN.Config(architecture: .dcgan)
            config.seed = seed
            return ModelBenchmark.trainingStep(GAN(config), StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed))), loss: "loss_d")
        },
         ModelBenchmark("dcgan_sample_1024", "DCGAN G forward on 1024 noise vectors, no gradients", repetitions: .fewer) { seed in
            var config = GAN.Config(architecture: .dcgan)
            config.seed = seed
            let gan = GAN(config), g = RandomGenerator(seed: seed)
            return { gan.sample(count: 1024, generator: g).mean().item }
        }]
    }
}

/// The peer's wgan_gp step, and wgan's like it: one critic update, one generator update.
private func wganStep(_ constraint: WGAN.Constraint, seed: UInt64) -> () -> Float {
    var config = WGAN.Config(constraint: constraint)
    config.criticSteps = 1
    config.seed = seed
    return ModelBenchmark.trainingStep(WGAN(config), StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed))), loss: "loss_d")
}

extension WGANKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("wgan", "DCGAN G and critic (BN); one RMSprop critic step with weight clipping, one G step") {
            wganStep(.weightClipping(bound: 0.01), seed: $0)
        }]
    }
}

extension WGANGPKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("wgan_gp", "DCGAN G, critic without BN; critic step with gradient penalty, one G step") {
            wganStep(.gradientPenalty(weight: 10), seed: $0)
        }]
    }
}

extension ConditionalGANKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("cgan", "conditional DCGAN: one-hot class on G's noise, label maps on D's input; D and G step") { seed in
            var config = ConditionalGAN.Config()
            config.seed = seed
            let g = RandomGenerator(seed: seed)
            let x = ModelBenchmark.batch(g)
            let labels = Tensor((0..<ModelBenchmark.batchSize).map { _ in Float(g.nextIndex(below: 10)) })
            return ModelBenchmark.trainingStep(ConditionalGAN(config), StepInput(images: x, labels: labels), loss: "loss_d")
        }]
    }
}

extension InfoGANKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("infogan", "DCGAN G, D with a Q head; D, G and mutual-information steps (10 + 2 codes)") { seed in
            var config = InfoGAN.Config()
            config.seed = seed
            return ModelBenchmark.trainingStep(InfoGAN(config), StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed))), loss: "loss_d")
        }]
    }
}

extension LAPGANKind {
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("lapgan", "Laplacian pyramid 7→14→28: coarse GAN and two band-pass conditional GANs; D and G step each") { seed in
            var config = LAPGAN.Config()
            config.seed = seed
            return ModelBenchmark.trainingStep(LAPGAN(config), StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed))), loss: "loss_d")
        }]
    }
}
