import Foundation
import MirageData
import MirageNN
import MirageTensor

/// The benchmark models of `shared/BENCHMARKS.md`: one training step (or one sampling call) of
/// each, built with the shapes, losses, optimizers and batch size (64) of the PyTorch reference
/// `torch_models.py`, so that `mirage bench` can time them against the peer in the same run.
///
/// ```swift
/// let step = ModelBenchmark.dcgan.makeStep(seed: 0)
/// for _ in 0..<ModelBenchmark.dcgan.timedSteps(30) { step() }
/// ```
public enum ModelBenchmark: String, CaseIterable, Sendable {
    case mlpGAN = "mlp_gan"
    case dcgan
    case wganGP = "wgan_gp"
    case vae
    case ddpmUNet = "ddpm_unet"
    case realNVP = "realnvp"
    case dcganSample1024 = "dcgan_sample_1024"

    /// The batch size of every training step.
    public static let batchSize = 64

    /// What one step is, in a line.
    public var summary: String {
        switch self {
        case .mlpGAN: return "MLP G 100-256-512-1024-784, D 784-512-256-1; one D and one G step, BCE, Adam"
        case .dcgan: return "DCGAN G fc→128×7×7→convT 64→convT 1 (BN), D conv 64→conv 128 (BN)→fc; D and G step"
        case .wganGP: return "DCGAN G, critic without BN; critic step with gradient penalty, one G step"
        case .vae: return "MLP VAE 784-400-20, Bernoulli decoder, ELBO, Adam"
        case .ddpmUNet: return "time-conditioned U-Net 32-64-128, GroupNorm, SiLU, skips; noise-prediction MSE"
        case .realNVP: return "6 affine couplings on 784-d, MLP 784-512-512-1568, exact NLL"
        case .dcganSample1024: return "DCGAN G forward on 1024 noise vectors, no gradients"
        }
    }

    /// Timed repetitions for a `--steps` setting: the peer script times the quick models more
    /// often (3× MLP GAN, 5× VAE) and sampling less (steps/5, at least 3).
    public func timedSteps(_ steps: Int) -> Int {
        switch self {
        case .mlpGAN: return steps * 3
        case .vae: return steps * 5
        case .dcganSample1024: return Swift.max(3, steps / 5)
        default: return steps
        }
    }

    /// Builds the model(s) and optimizers and returns a closure that runs one step. Data is a
    /// fixed random batch in [−1, 1], as in the reference; noise is drawn anew every step.
    public func makeStep(seed: UInt64) -> () -> Void {
        let g = RandomGenerator(seed: seed)
        let b = Self.batchSize
        let x = Tensor.rand([b, 1, 28, 28], low: -1, high: 1, generator: g)
        let ones = Tensor.ones([b, 1]), zeros = Tensor.zeros([b, 1])
        switch self {
        case .mlpGAN:
            let gen = MLPGenerator(generator: g), disc = MLPDiscriminator(generator: g)
            let optG = Adam(gen.trainableParameters(), learningRate: 2e-4, betas: (0.5, 0.999))
            let optD = Adam(disc.trainableParameters(), learningRate: 2e-4, betas: (0.5, 0.999))
            return { Self.ganStep(gen, disc, optG, optD, x, ones, zeros, g) }
        case .dcgan:
            let gen = DCGANGenerator(generator: g), disc = DCGANDiscriminator(generator: g)
            let optG = Adam(gen.trainableParameters(), learningRate: 2e-4, betas: (0.5, 0.999))
            let optD = Adam(disc.trainableParameters(), learningRate: 2e-4, betas: (0.5, 0.999))
            return { Self.ganStep(gen, disc, optG, optD, x, ones, zeros, g) }
        case .wganGP:
            let gen = DCGANGenerator(generator: g), critic = DCGANDiscriminator(batchNorm: false, generator: g)
            let optG = Adam(gen.trainableParameters(), learningRate: 1e-4, betas: (0, 0.9))
            let optD = Adam(critic.trainableParameters(), learningRate: 1e-4, betas: (0, 0.9))
            return {
                let fake = withNoGrad { gen(Tensor.randn([b, 100], generator: g)) }
                let eps = Tensor.rand([b, 1, 1, 1], generator: g)
                let mixed = (eps * x + (1 - eps) * fake).requiringGrad()
                let grad = gradients(of: critic(mixed).sum(), wrt: [mixed], createGraph: true)[0]
                let penalty = (grad.flattened(startAxis: 1).norm(axis: 1) - 1).pow(2).mean()
                let lossD = critic(fake).mean() - critic(x).mean() + penalty * 10
                optD.zeroGrad(); lossD.backward(); optD.step()
                let lossG = -critic(gen(Tensor.randn([b, 100], generator: g))).mean()
                optG.zeroGrad(); lossG.backward(); optG.step()
            }
        case .vae:
            let vae = VAE(VAE.Config())
            let binarized = (x .> 0).reshaped([b, 1, 28, 28])
            return { _ = vae.trainStep(images: binarized, labels: zeros) }
        case .ddpmUNet:
            let unet = TimeUNet(generator: g)
            let opt = Adam(unet.trainableParameters(), learningRate: 2e-4)
            // ᾱ_t = Π (1 − β_s) for β linear from 1e-4 to 0.02 over 1000 steps.
            var alphaBar: [Float] = []
            var running = 1.0
            for i in 0..<1000 {
                running *= 1 - (1e-4 + (0.02 - 1e-4) * Double(i) / 999)
                alphaBar.append(Float(running))
            }
            return {
                let t = (0..<b).map { _ in g.nextIndex(below: 1000) }
                let noise = Tensor.randn(x.shape, generator: g)
                let ab = t.map { alphaBar[$0] }
                let signal = Tensor(ab.map { $0.squareRoot() }, shape: [b, 1, 1, 1])
                let spread = Tensor(ab.map { (1 - $0).squareRoot() }, shape: [b, 1, 1, 1])
                let noisy = signal * x + spread * noise
                let loss = mseLoss(unet(noisy, timesteps: Tensor(t.map(Float.init))), noise)
                opt.zeroGrad(); loss.backward(); opt.step()
            }
        case .realNVP:
            let flow = RealNVP(generator: g)
            let opt = Adam(flow.trainableParameters(), learningRate: 1e-3)
            let data = (x.reshaped([b, 784]) + 1) * 0.5
            return {
                let loss = flow.negativeLogLikelihood(data).mean()
                opt.zeroGrad(); loss.backward(); opt.step()
            }
        case .dcganSample1024:
            let gen = DCGANGenerator(generator: g)
            gen.eval()
            return { _ = withNoGrad { gen(Tensor.randn([1024, 100], generator: g)) } }
        }
    }

    /// One discriminator step on real and detached fake images, then one generator step through
    /// the same fakes, with BCE on logits, as the reference's `gan_step` and `dcgan_step`.
    private static func ganStep(_ gen: some Layer, _ disc: some Layer, _ optG: Optimizer, _ optD: Optimizer,
                                _ x: Tensor, _ ones: Tensor, _ zeros: Tensor, _ g: RandomGenerator) {
        let fake = gen(Tensor.randn([batchSize, 100], generator: g))
        let lossD = binaryCrossEntropyWithLogits(disc(x), ones)
            + binaryCrossEntropyWithLogits(disc(fake.detached()), zeros)
        optD.zeroGrad(); lossD.backward(); optD.step()
        let lossG = binaryCrossEntropyWithLogits(disc(fake), ones)
        optG.zeroGrad(); lossG.backward(); optG.step()
    }
}
