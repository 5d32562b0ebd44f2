import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct ModelBenchmarkTests {
    /// Every benchmark step runs, and the FLOPs it counts match the architecture: one step of
    /// the MLP GAN is 1.009 GFLOP (forward G; three passes of D; backward through both, where the
    /// generator's step skips D's weight gradients, 2·64·532,736 = 68.2 MFLOP, since D is frozen).
    @Test(arguments: ModelRegistry.builtIn.flatMap { $0.benchmarks }.map(\.name)) func stepRuns(_ name: String) throws {
        let model = try #require(ModelBenchmark.named(name))
        let step = try model.makeStep(seed: 0)
        let first = step()
        let before = Kernels.flopCount
        let second = step()
        let flops = Kernels.flopCount - before
        #expect(flops > 0)
        // The first losses are what the architecture and data imply at initialisation, so a step
        // that runs but computes garbage (NaN, a penalty never applied, a wrong loss) fails here.
        #expect(first.isFinite && second.isFinite)
        let (low, high) = try #require(Self.firstLossRange[name], "\(name) has no stated first-loss range")
        #expect(first >= low && first <= high, "\(name): first loss \(first), expected \(low)...\(high)")
        if name == "mlp_gan" { #expect(flops == 1_009_254_400) }
        if name == "vae" { #expect(flops == 209_920_000) }
    }

    /// Where each benchmark's first loss must lie, and why:
    /// - GANs: BCE(D(real), 1) + BCE(D(fake), 0) with an untrained D near 0 logits is 2 ln 2 ≈ 1.39
    ///   (LAPGAN: one such loss per level, 3 × 1.39 ≈ 4.16);
    /// - WGAN: E[D(fake)] − E[D(real)] of an untrained critic, whose outputs are of order 1 (the
    ///   first update already clips its weights to ±0.01), lies within ±2;
    /// - WGAN-GP: the critic's outputs start near 0 and its input gradients far below norm 1,
    ///   so λ·(‖∇‖ − 1)² ≈ 10 dominates;
    /// - VAE: −ELBO of random binary pixels under a decoder near ½ is 784 ln 2 ≈ 543 nats;
    /// - DDPM: predicting noise of variance 1 with outputs near 0 costs an MSE near 1 (the
    ///   ResidualUNet's are exactly 0);
    /// - RealNVP: couplings near identity on uniform [0, 1] pixels give ½·784·E[x²] + 392 ln 2π ≈ 851 nats;
    /// - Glow: near the identity after actnorm's start, uniform pixels cost about 8 bits/dim
    ///   (a uniform density over the 256 levels), a little more under a Gaussian;
    /// - pix2pix: ½·(BCE real + BCE fake) with patch logits near 0 is ln 2 ≈ 0.69;
    /// - CycleGAN: D_A's ½·((D(real) − 1)² + D(fake)²), with an untrained PatchGAN's outputs of order 1,
    ///   lies between ¼ and a few (the peer's first: 0.82 at 28×28, 1.99 at 256×256);
    /// - PixelCNN: random binary pixels under logits near 0 cost about 784 ln 2 ≈ 543 nats;
    /// - StyleGAN: the logistic loss softplus(D(fake)) + softplus(−D(real)) with an untrained D's
    ///   logits of order 1 lies near 2 ln 2 ≈ 1.39 (with or without the regularisers, taken after it);
    /// - sampling, the mean pixel of the images drawn, which the output's range alone would bound
    ///   only by [0, 1] (DDIM's by [−1, 1]), and a sampler that never draws, or returns another
    ///   range, would meet: PixelCNN's 64 images draw every pixel from logits near 0, so with
    ///   probability near ½ (0.49 here; the draws alone spread it by 0.002); the DCGAN's untrained
    ///   tanh outputs are small and centred, so (tanh + 1)/2 averages near ½ (0.504); DDIM's start
    ///   from symmetric noise, moved in [−1, 1] by an untrained network whose biases shift the
    ///   mean by a few tenths at most (0.18 here), so near 0 and well inside ±½.
    static let firstLossRange: [String: (Float, Float)] = [
        "mlp_gan": (1.0, 1.8), "dcgan": (0.8, 2.2), "wgan_gp": (5, 12), "wgan": (-2, 2), "cgan": (0.8, 2.2),
        "infogan": (0.8, 2.2), "lapgan": (2.8, 5.6), "vae": (450, 650), "ddpm_unet": (0.5, 1.6), "ddpm": (0.5, 1.6),
        "realnvp": (650, 1100), "glow": (7, 9.5),
        "pix2pix": (0.4, 1.2), "pix2pix_256": (0.4, 1.2), "cyclegan": (0.2, 4), "cyclegan_256": (0.2, 4), "pixelcnn": (450, 700),
        "pixelcnn_sample_64": (0.4, 0.6), "dcgan_sample_1024": (0.4, 0.6), "ddpm_ddim50_sample": (-0.5, 0.5),
        "stylegan": (0.8, 3), "stylegan_regularised": (0.8, 3),
    ]

    @Test func repetitionsFollowThePeer() throws {
        func timed(_ name: String, _ steps: Int) throws -> Int { try #require(ModelBenchmark.named(name)).timedSteps(steps) }
        #expect(try timed("mlp_gan", 30) == 90)
        #expect(try timed("vae", 30) == 150)
        #expect(try timed("dcgan_sample_1024", 30) == 6)
        #expect(try timed("dcgan_sample_1024", 5) == 3)
        #expect(try timed("ddpm_ddim50_sample", 30) == 6)
        #expect(try timed("cyclegan_256", 30) == 6)
        #expect(try timed("cyclegan", 30) == 30)
        #expect(try timed("pixelcnn_sample_64", 30) == 6)
        #expect(try timed("stylegan_regularised", 30) == 6 && timed("stylegan", 30) == 30)
    }

    /// The benchmarks come from the kinds, in the registry's order: the twenty of BENCHMARKS.md and
    /// StyleGAN's two, each once (the peer script knows them by these names).
    @Test func everyKindOffersItsBenchmarks() {
        // The built-in kinds' (a test may have registered a model of its own).
        #expect(ModelRegistry.builtIn.flatMap { $0.benchmarks }.map(\.name) == ["vae", "mlp_gan", "dcgan", "dcgan_sample_1024", "wgan", "wgan_gp", "cgan", "infogan",
                                                   "lapgan", "pix2pix", "pix2pix_256", "cyclegan", "cyclegan_256", "ddpm_unet", "ddpm",
                                                   "ddpm_ddim50_sample", "glow", "realnvp", "pixelcnn", "pixelcnn_sample_64",
                                                   "stylegan", "stylegan_regularised"])
        #expect(ModelBenchmark.named("nosuch") == nil)
    }
}
