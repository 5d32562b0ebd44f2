import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct ModelBenchmarkTests {
    /// Every benchmark step runs, and the FLOPs it counts match the architecture: one step of
    /// the MLP GAN is 1.009 GFLOP (forward G; three passes of D; backward through both, where the
    /// generator's step skips D's weight gradients, 2·64·532,736 = 68.2 MFLOP, since D is frozen).
    @Test(arguments: ModelBenchmark.allCases) func stepRuns(_ model: ModelBenchmark) {
        let step = model.makeStep(seed: 0)
        let first = step()
        let before = Kernels.flopCount
        let second = step()
        let flops = Kernels.flopCount - before
        #expect(flops > 0)
        // The first losses are what the architecture and data imply at initialisation, so a step
        // that runs but computes garbage (NaN, a penalty never applied, a wrong loss) fails here.
        #expect(first.isFinite && second.isFinite)
        let (low, high) = Self.firstLossRange[model]!
        #expect(first >= low && first <= high, "\(model.rawValue): first loss \(first), expected \(low)...\(high)")
        if model == .mlpGAN { #expect(flops == 1_009_254_400) }
        if model == .vae { #expect(flops == 209_920_000) }
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
    /// - sampling: the mean pixel of generated images, in [0, 1] (DDIM's in [−1, 1]).
    static let firstLossRange: [ModelBenchmark: (Float, Float)] = [
        .mlpGAN: (1.0, 1.8), .dcgan: (0.8, 2.2), .wganGP: (5, 12), .wgan: (-2, 2), .cgan: (0.8, 2.2),
        .infogan: (0.8, 2.2), .lapgan: (2.8, 5.6), .vae: (450, 650), .ddpmUNet: (0.5, 1.6), .ddpm: (0.5, 1.6),
        .realNVP: (650, 1100), .glow: (7, 9.5),
        .pix2pix: (0.4, 1.2), .pix2pix256: (0.4, 1.2), .cycleGAN: (0.2, 4), .cycleGAN256: (0.2, 4), .pixelCNN: (450, 700),
        .pixelCNNSample64: (0, 1), .dcganSample1024: (0.05, 0.95), .ddpmDDIM50Sample: (-1, 1),
    ]

    @Test func repetitionsFollowThePeer() {
        #expect(ModelBenchmark.mlpGAN.timedSteps(30) == 90)
        #expect(ModelBenchmark.vae.timedSteps(30) == 150)
        #expect(ModelBenchmark.dcganSample1024.timedSteps(30) == 6)
        #expect(ModelBenchmark.dcganSample1024.timedSteps(5) == 3)
        #expect(ModelBenchmark.ddpmDDIM50Sample.timedSteps(30) == 6)
        #expect(ModelBenchmark.cycleGAN256.timedSteps(30) == 6)
        #expect(ModelBenchmark.cycleGAN.timedSteps(30) == 30)
        #expect(ModelBenchmark.pixelCNNSample64.timedSteps(30) == 6)
        #expect(ModelBenchmark.allCases.map(\.rawValue) == ["mlp_gan", "dcgan", "wgan_gp", "wgan", "cgan", "infogan", "lapgan", "vae", "ddpm_unet",
                                                        "ddpm", "realnvp", "glow", "pix2pix", "pix2pix_256", "cyclegan",
                                                        "cyclegan_256", "pixelcnn", "dcgan_sample_1024", "ddpm_ddim50_sample",
                                                        "pixelcnn_sample_64"])
    }
}
