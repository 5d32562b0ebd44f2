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
    case wgan
    case cgan
    case infogan
    case lapgan
    case vae
    case ddpmUNet = "ddpm_unet"
    case ddpm
    case realNVP = "realnvp"
    case glow
    case pix2pix
    case pix2pix256 = "pix2pix_256"
    case cycleGAN = "cyclegan"
    case cycleGAN256 = "cyclegan_256"
    case pixelCNN = "pixelcnn"
    case dcganSample1024 = "dcgan_sample_1024"
    case ddpmDDIM50Sample = "ddpm_ddim50_sample"
    case pixelCNNSample64 = "pixelcnn_sample_64"

    /// The batch size of every training step.
    public static let batchSize = 64

    /// What one step is, in a line.
    public var summary: String {
        switch self {
        case .mlpGAN: return "MLP G 100-256-512-1024-784, D 784-512-256-1; one D and one G step, BCE, Adam"
        case .dcgan: return "DCGAN G fc→128×7×7→convT 64→convT 1 (BN), D conv 64→conv 128 (BN)→fc; D and G step"
        case .wganGP: return "DCGAN G, critic without BN; critic step with gradient penalty, one G step"
        case .wgan: return "DCGAN G and critic (BN); one RMSprop critic step with weight clipping, one G step"
        case .cgan: return "conditional DCGAN: one-hot class on G's noise, label maps on D's input; D and G step"
        case .infogan: return "DCGAN G, D with a Q head; D, G and mutual-information steps (10 + 2 codes)"
        case .lapgan: return "Laplacian pyramid 7→14→28: coarse GAN and two band-pass conditional GANs; D and G step each"
        case .vae: return "MLP VAE 784-400-20, Bernoulli decoder, ELBO, Adam"
        case .ddpmUNet: return "time-conditioned U-Net 32-64-128, GroupNorm, SiLU, skips; noise-prediction MSE"
        case .ddpm: return "mirage train ddpm's step: ResidualUNet 32-64-64 with attention at 7×7, clipping, EMA"
        case .realNVP: return "6 affine couplings on 784-d, MLP 784-512-512-1568, exact NLL"
        case .glow: return "mirage train glow's step: 2 levels × 8 steps (actnorm, 1×1 conv, coupling 128), exact NLL"
        case .pix2pix: return "mirage train pix2pix's step on 1×28×28 pairs: U-Net G (4 levels), PatchGAN D (2 layers), GAN + 100·L1"
        case .pix2pix256: return "pix2pix's step at the reference setting: batch 1, 3×256×256, U-Net G (8 levels), PatchGAN D (3 layers)"
        case .cycleGAN: return "mirage train cyclegan's step, 1×28×28 ↔ 3×28×28: two U-Net G, two PatchGAN D, cycle loss, pools"
        case .cycleGAN256: return "CycleGAN's step at the reference setting: batch 1, 3×256×256 both ways, ResNet G (9 blocks), identity loss"
        case .pixelCNN: return "mirage train pixelcnn's step: 7×7 mask A, 6 residual blocks (3×3 mask B, h = 32), Bernoulli NLL"
        case .pixelCNNSample64: return "64 binary images drawn pixel by pixel (784 passes) through pixelcnn's network, no gradients"
        case .dcganSample1024: return "DCGAN G forward on 1024 noise vectors, no gradients"
        case .ddpmDDIM50Sample: return "64 images by DDIM (50 steps, η = 0) through the ddpm_unet network, no gradients"
        }
    }

    /// Timed repetitions for a `--steps` setting: the peer script times the quick models more
    /// often (3× MLP GAN, 5× VAE) and sampling and the 256-pixel translation steps (seconds each)
    /// less (steps/5, at least 3).
    public func timedSteps(_ steps: Int) -> Int {
        switch self {
        case .mlpGAN: return steps * 3
        case .vae: return steps * 5
        case .dcganSample1024, .ddpmDDIM50Sample, .pixelCNNSample64, .pix2pix256, .cycleGAN256: return Swift.max(3, steps / 5)
        default: return steps
        }
    }

    /// Builds the model and returns a closure that runs one step of it: the same model types and
    /// training steps `mirage train` uses where they exist (GAN, DCGAN, VAE), the model folders'
    /// steps otherwise. Data is a fixed random batch in [−1, 1], as in the reference; noise is
    /// drawn anew every step. The closure returns the step's main loss (for sampling, the mean
    /// pixel), so tests can tell a step that runs from one that computes garbage.
    public func makeStep(seed: UInt64) -> () -> Float {
        let g = RandomGenerator(seed: seed)
        let b = Self.batchSize
        let x = Tensor.rand([b, 1, 28, 28], low: -1, high: 1, generator: g)
        let context = StepContext(step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1)
        // A model's own training step on the fixed batch, returning its discriminator's loss.
        func discriminatorLoss(_ model: some GenerativeModel, labels: Tensor? = nil) -> () -> Float {
            let input = StepInput(images: x, labels: labels)
            return { model.trainStep(input, context: context)["loss_d"]! }
        }
        switch self {
        case .mlpGAN, .dcgan:
            var config = GAN.Config(architecture: self == .mlpGAN ? .mlp : .dcgan)
            config.seed = seed
            return discriminatorLoss(GAN(config))
        case .wganGP, .wgan:
            // The reference's wgan_gp step, and wgan's like it: one critic update, one generator update.
            var config = WGAN.Config(constraint: self == .wganGP ? .gradientPenalty(weight: 10) : .weightClipping(bound: 0.01))
            config.criticSteps = 1
            config.seed = seed
            return discriminatorLoss(WGAN(config))
        case .cgan:
            var config = ConditionalGAN.Config()
            config.seed = seed
            return discriminatorLoss(ConditionalGAN(config), labels: Tensor((0..<b).map { _ in Float(g.nextIndex(below: 10)) }))
        case .infogan:
            var config = InfoGAN.Config()
            config.seed = seed
            return discriminatorLoss(InfoGAN(config))
        case .lapgan:
            var config = LAPGAN.Config()
            config.seed = seed
            return discriminatorLoss(LAPGAN(config))
        case .vae:
            var config = VAE.Config()
            config.seed = seed
            let vae = VAE(config)
            let input = StepInput(images: (x .> 0).reshaped([b, 1, 28, 28]))
            return { -vae.trainStep(input, context: context)["elbo"]! }
        case .ddpmUNet:
            let unet = TimeUNet(generator: g)
            let opt = Adam(unet.trainableParameters(), learningRate: 2e-4)
            let schedule = NoiseSchedule.linear()
            return {
                let loss = schedule.noisePredictionLoss(unet, x, generator: g)
                opt.zeroGrad(); loss.backward(); opt.step()
                return loss.item
            }
        case .ddpm:
            var config = DDPM.Config()
            config.seed = seed
            let ddpm = DDPM(config)
            let input = StepInput(images: x)
            return { ddpm.trainStep(input, context: context)["loss"]! }
        case .realNVP:
            let flow = MLPCouplingFlow(generator: g)
            let opt = Adam(flow.trainableParameters(), learningRate: 1e-3)
            let data = (x.reshaped([b, 784]) + 1) * 0.5
            return {
                let loss = flow.negativeLogLikelihood(data).mean()
                opt.zeroGrad(); loss.backward(); opt.step()
                return loss.item
            }
        case .glow:
            var config = Glow.Config()
            config.seed = seed
            let glow = Glow(config)
            let input = StepInput(images: (x + 1) * 0.5)
            return { glow.trainStep(input, context: context)["bits_per_dim"]! }
        case .pix2pix, .pix2pix256:
            // The configuration `mirage train pix2pix` derives for this data, on a fixed random pair batch.
            let (shape, n) = self == .pix2pix ? ([1, 28, 28], b) : ([3, 256, 256], 1)
            let data = DataDescription(sampleShape: shape, channelsB: shape[0], classCount: 0)
            let config = try! Pix2PixKind.configuration(try! Pix2PixKind.Options.parse([]), seed: seed, data: data)
            let model = try! Pix2PixKind.make(config)
            let pair = self == .pix2pix ? Tensor.concat([x, Tensor.rand([n, 1, 28, 28], low: -1, high: 1, generator: g)], axis: 1)
                : Tensor.rand([n, 6, 256, 256], low: -1, high: 1, generator: g)
            let input = StepInput(batches: [Batch(images: pair, labels: Tensor.zeros([n]), indices: Array(0..<n))],
                                  pairChannels: (shape[0], shape[0]))
            return { model.trainStep(input, context: context)["loss_d"]! }
        case .cycleGAN, .cycleGAN256:
            // `mirage train cyclegan`'s configuration: mnist ↔ mnist-colored's shapes, or 256-pixel RGB both ways.
            let (shapeA, channelsB, n) = self == .cycleGAN ? ([1, 28, 28], 3, b) : ([3, 256, 256], 3, 1)
            let data = DataDescription(sampleShape: shapeA, channelsB: channelsB, classCount: 0)
            let config = try! CycleGANKind.configuration(try! CycleGANKind.Options.parse([]), seed: seed, data: data)
            let model = try! CycleGANKind.make(config)
            let a = self == .cycleGAN ? x : Tensor.rand([n] + shapeA, low: -1, high: 1, generator: g)
            let bImages = Tensor.rand([n, channelsB] + shapeA.dropFirst(), low: -1, high: 1, generator: g)
            func batch(_ images: Tensor) -> Batch { Batch(images: images, labels: Tensor.zeros([n]), indices: Array(0..<n)) }
            let input = StepInput(batches: [batch(a)], batchesB: [batch(bImages)])
            return { model.trainStep(input, context: context)["loss_d_a"]! }
        case .pixelCNN:
            let model = try! PixelCNNKind.makeDefault(seed: seed)
            let input = StepInput(images: x .> 0)
            return { model.trainStep(input, context: context)["nll"]! }
        case .pixelCNNSample64:
            let model = try! PixelCNNKind.makeDefault(seed: seed)
            model.setTraining(false)
            return { model.sample(count: b, generator: g).mean().item }
        case .ddpmDDIM50Sample:
            let unet = TimeUNet(generator: g)
            let schedule = NoiseSchedule.linear()
            return {
                withNoGrad {
                    DiffusionSampler.ddim(steps: 50, eta: 0).run(schedule: schedule, from: Tensor.randn([b, 1, 28, 28], generator: g),
                                                                 generator: g) { unet($0, timesteps: $1) }.mean().item
                }
            }
        case .dcganSample1024:
            var config = GAN.Config(architecture: .dcgan)
            config.seed = seed
            let gan = GAN(config)
            return { gan.sample(count: 1024, generator: g).mean().item }
        }
    }
}
