import Foundation
import MirageEval
import MirageNN
import MirageTensor

/// A variational autoencoder (Kingma & Welling, 2014) with MLP or convolutional encoder and decoder.
///
/// The encoder gives q(z|x) = N(μ, diag σ²); a code is drawn with the reparameterisation
/// `z = μ + σ·ε, ε ~ N(0, I)`, so gradients flow through the draw; the decoder gives p(x|z),
/// Bernoulli (logits) for binarised data or Gaussian with a learned variance for continuous data.
/// Training maximises the ELBO = E_q[log p(x|z)] − KL(q(z|x) ‖ N(0, I)), logged as its two terms.
///
/// The default is the benchmark architecture: 784-400-20, ReLU, Adam 1e-3. The convolutional one
/// (``Architecture/conv``) puts two stride-2 4×4 convolutions (32, 64 channels) before the encoder's
/// hidden layer and two transposed ones after the decoder's, for images whose sides are multiples of 4.
///
/// ```swift
/// let vae = VAE(VAE.Config())
/// let terms = vae.trainStep(StepInput(images: binarised), context: context) // ["elbo": …, "reconstruction": …, "kl": …]
/// let nll = vae.importanceWeightedNLL(testImages, samples: 1000, generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1312.6114>, <https://arxiv.org/abs/1509.00519> (IWAE bound)
public final class VAE: GenerativeModel, Sampling, LatentDecoding, LikelihoodModel, ReconstructionModel {
    public enum Decoder: String, Codable, Sendable {
        /// Independent Bernoullis on binarised pixels.
        case bernoulli
        /// Independent Gaussians with one learned log-variance on pixels in [0, 1].
        case gaussian
    }

    /// The encoder and decoder networks.
    public enum Architecture: String, Codable, CaseIterable, Sendable {
        /// One hidden layer each: x → hidden → code → hidden → x.
        case mlp
        /// x → conv 32 → conv 64 (each 4×4, stride 2, ReLU) → hidden → code, and back through
        /// hidden → 64 × H/4 × W/4 → two transposed convolutions.
        case conv
    }

    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// The networks.
        public var architecture: Architecture = .mlp
        public var hidden = 400
        public var latent = 20
        public var learningRate: Float = 1e-3
        public var decoder = Decoder.bernoulli
        public var seed: UInt64 = 0
        public init(latent: Int = 20, decoder: Decoder = .bernoulli, architecture: Architecture = .mlp) {
            self.latent = latent
            self.decoder = decoder
            self.architecture = architecture
        }

        /// A side of the image that the convolutional networks' two stride-2 halvings cannot
        /// divide (nil when there is none, or for the MLP).
        var sideTheConvolutionsCannotHalve: Int? {
            architecture == .conv ? imageShape.dropFirst().first { $0 % 4 != 0 } : nil
        }

        /// The features the hidden layers join to: the pixels for the MLP, the second convolution's
        /// 64 × H/4 × W/4 outputs for the convolutional networks.
        var denseInputs: Int {
            architecture == .conv ? 64 * (imageShape[1] / 4) * (imageShape[2] / 4) : imageShape.reduce(1, *)
        }
    }

    /// Encoder: x ↦ (μ, log σ²).
    public final class Encoder: Module {
        /// The convolutional architecture's two convolutions (nil for the MLP).
        let c1: Conv2d?, c2: Conv2d?
        let e: Linear, mu: Linear, lv: Linear
        let imageShape: [Int]
        init(_ config: Config, _ g: RandomGenerator) {
            imageShape = config.imageShape
            if config.architecture == .conv {
                c1 = Conv2d(imageShape[0], 32, kernelSize: 4, stride: 2, padding: 1, generator: g)
                c2 = Conv2d(32, 64, kernelSize: 4, stride: 2, padding: 1, generator: g)
            } else {
                (c1, c2) = (nil, nil)
            }
            e = Linear(config.denseInputs, config.hidden, generator: g)
            mu = Linear(config.hidden, config.latent, generator: g)
            lv = Linear(config.hidden, config.latent, generator: g)
        }
        public func callAsFunction(_ x: Tensor) -> (mu: Tensor, logVar: Tensor) {
            var features = x
            if let c1, let c2 { features = c2(c1(x.reshaped([x.shape[0]] + imageShape)).relu()).relu() }
            let h = e(features.flattened(startAxis: 1)).relu()
            return (mu(h), lv(h))
        }
    }

    /// Decoder: z ↦ flattened pixel logits (Bernoulli) or means (Gaussian), plus the Gaussian's
    /// log-variance.
    public final class DecoderNet: Module {
        let d1: Linear, d2: Linear
        /// The convolutional architecture's two transposed convolutions (nil for the MLP).
        let u1: ConvTranspose2d?, u2: ConvTranspose2d?
        @Parameter var logVar: Tensor?
        let imageShape: [Int]
        init(_ config: Config, _ g: RandomGenerator) {
            imageShape = config.imageShape
            d1 = Linear(config.latent, config.hidden, generator: g)
            d2 = Linear(config.hidden, config.denseInputs, generator: g)
            if config.architecture == .conv {
                u1 = ConvTranspose2d(64, 32, kernelSize: 4, stride: 2, padding: 1, generator: g)
                u2 = ConvTranspose2d(32, imageShape[0], kernelSize: 4, stride: 2, padding: 1, generator: g)
            } else {
                (u1, u2) = (nil, nil)
            }
            logVar = config.decoder == .gaussian ? Tensor([-2]) : nil
        }
        public func callAsFunction(_ z: Tensor) -> Tensor {
            let h = d2(d1(z).relu())
            guard let u1, let u2 else { return h }
            let grid = h.relu().reshaped([z.shape[0], 64, imageShape[1] / 4, imageShape[2] / 4])
            return u2(u1(grid).relu()).flattened(startAxis: 1)
        }
    }

    public let config: Config
    public let encoder: Encoder
    public let decoder: DecoderNet
    let optimizer: Adam
    /// Draws ε for the reparameterisation.
    let epsilon: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        precondition(config.sideTheConvolutionsCannotHalve == nil,
                     "VAE: the convolutional architecture needs sides that are multiples of 4, got \(config.imageShape)")
        encoder = Encoder(config, g)
        decoder = DecoderNet(config, g)
        optimizer = Adam(encoder.trainableParameters() + decoder.trainableParameters(), learningRate: config.learningRate)
        epsilon = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("encoder", encoder), ("decoder", decoder)] }
    public var optimizers: [(String, Optimizer)] { [("adam", optimizer)] }
    public var generators: [(String, RandomGenerator)] { [("epsilon", epsilon)] }
    public var data: DataRequirement {
        DataRequirement(range: 0...1, dynamicBinarization: config.decoder == .bernoulli)
    }

    /// log p(x | z) per example for flattened `x` and decoder output.
    func logLikelihood(_ x: Tensor, decoded: Tensor) -> Tensor {
        switch config.decoder {
        case .bernoulli: return bernoulliLogLikelihood(x, logits: decoded)
        case .gaussian: return gaussianLogLikelihood(x, mean: decoded.sigmoid(), logVar: decoder.logVar!.expanded(to: x.shape))
        }
    }

    /// The ELBO's two terms per example: (E_q log p(x|z) estimated with one draw, KL(q ‖ p)).
    /// The draw is the global batch's, of which `images` are `shard`'s rows.
    public func elboTerms(_ images: Tensor, generator: RandomGenerator? = nil,
                          shard: BatchShard = .whole) -> (reconstruction: Tensor, kl: Tensor) {
        let x = images.flattened(startAxis: 1)
        let (mu, logVar) = encoder(images)
        let noise = shard.draw(mu.shape[0]) { Tensor.randn([$0, mu.shape[1]], generator: generator ?? epsilon) }
        let z = mu + (logVar * 0.5).exp() * noise
        return (logLikelihood(x, decoded: decoder(z)), gaussianKLToStandardNormal(mu: mu, logVar: logVar))
    }

    /// The negative ELBO first (the bound training maximises), then the likelihood's scores and
    /// the reconstruction error.
    public static var anomalyScores: [AnomalyScore] { [.elbo, .nll, .complexity, .reconstruction] }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let (rec, kl) = elboTerms(input.images, shard: context.shard)
        let loss = (kl - rec).mean()
        context.updater.minimize(loss, with: optimizer)
        let (r, k) = (rec.mean().item, kl.mean().item)
        return ["elbo": r - k, "reconstruction": r, "kl": k]
    }

    /// Negative log-likelihood per example in nats, by the importance-weighted bound with
    /// `samples` draws from q(z|x) (Burda et al., 2016): an upper bound on −log p(x) that
    /// tightens as `samples` grows; `samples: 1` gives −ELBO.
    public func importanceWeightedNLL(_ images: Tensor, samples k: Int, generator: RandomGenerator) -> Tensor {
        withNoGrad {
            let n = images.shape[0]
            let x = images.flattened(startAxis: 1)
            let (mu, logVar) = encoder(images)
            let std = (logVar * 0.5).exp()
            var logWeights: [Tensor] = []
            let chunk = max(1, 4096 / max(n, 1))  // draws per decoder call, to bound memory
            var done = 0
            while done < k {
                let m = min(chunk, k - done)
                let eps = Tensor.randn([m, n, config.latent], generator: generator)
                let z = mu.unsqueezed(axis: 0) + std.unsqueezed(axis: 0) * eps
                let decoded = decoder(z.reshaped([m * n, config.latent]))
                let logPx = logLikelihood(x.unsqueezed(axis: 0).expanded(to: [m, n, x.shape[1]]).reshaped([m * n, -1]),
                                          decoded: decoded).reshaped([m, n])
                let logPz = (z * z * -0.5).sum(axis: 2) - Float(Double(config.latent) * 0.5 * log(2 * Double.pi))
                let logQz = (eps * eps * -0.5 - logVar.unsqueezed(axis: 0) * 0.5).sum(axis: 2)
                    - Float(Double(config.latent) * 0.5 * log(2 * Double.pi))
                logWeights.append(logPx + logPz - logQz)
                done += m
            }
            return -ImportanceWeightedBound.estimate(logWeights: Tensor.concat(logWeights, axis: 0))
        }
    }

    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        decode(latents: Tensor.randn([count, config.latent], generator: generator))
    }

    public var latentSize: Int { config.latent }

    /// The decoder's mean image (Bernoulli probabilities, or the Gaussian's mean) for each code.
    public func decode(latents z: Tensor) -> Tensor {
        withNoGrad { decoder(z).sigmoid().reshaped([z.shape[0]] + config.imageShape) }
    }

    public func sheets(fixed input: StepInput, noise: RandomGenerator) -> [Sheet] {
        let fixed = input.images
        return withNoGrad {
            var sheets = [Sheet(name: "samples", images: sample(count: 64, generator: noise), columns: 8)]
            // Reconstructions: each test digit above the decoded mean of its code.
            let n = min(fixed.shape[0], 32)
            let x = fixed.sliced(axis: 0, 0..<n)
            let recon = reconstruct(x)
            sheets.append(Sheet(name: "reconstructions", images: Tensor.concat([x, recon], axis: 0), columns: 8))
            // Interpolations between the codes of pairs of test digits.
            let pairs = min(8, n / 2)
            if pairs > 0 {
                let mu = encoder(fixed.sliced(axis: 0, 0..<(2 * pairs))).mu
                let a = mu.sliced(axis: 0, 0..<pairs), b = mu.sliced(axis: 0, pairs..<(2 * pairs))
                let steps = 10
                let z = linearInterpolation(from: a, to: b, steps: steps)
                sheets.append(Sheet(name: "interpolations", images: decoder(z).sigmoid().reshaped([pairs * steps] + config.imageShape),
                                    columns: steps))
            }
            if config.latent == 2 { sheets.append(latentMap(side: 20)) }
            return sheets
        }
    }

    // MARK: Capabilities

    public var likelihoodUnavailableReason: String? {
        config.decoder == .bernoulli ? nil
            : "a Gaussian decoder; nll is defined here for the Bernoulli decoder on binarised images"
    }

    /// The likelihood is the Bernoulli decoder's, of binarised pixels.
    public var likelihoodIsOfBinaryPixels: Bool { true }

    /// Test images binarised dynamically, as in training: each pixel a Bernoulli of its intensity.
    public func likelihoodInput(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        Tensor.bernoulli(probabilities: images, generator: generator)
    }

    /// The importance-weighted bound with `samples` draws, and the ELBO from one more draw.
    public func negativeLogLikelihood(_ x: Tensor, samples: Int, generator: RandomGenerator) -> LikelihoodEstimate {
        let (rec, kl) = withNoGrad { elboTerms(x, generator: generator) }
        return LikelihoodEstimate(nll: importanceWeightedNLL(x, samples: samples, generator: generator), elbo: rec - kl,
                                  method: "IWAE, k=\(samples)")
    }

    /// The decoded mean of each image's posterior mean code, in [0, 1].
    public func reconstruct(_ images: Tensor) -> Tensor {
        withNoGrad { decoder(encoder(images).mu).sigmoid().reshaped(images.shape) }
    }

    public func corrupt(_ images: Tensor, generator: RandomGenerator) -> Tensor? { nil }

    /// For a 2-D latent space: the decoded means on a `side × side` grid of standard-normal
    /// quantiles, the classic picture of how the digits are arranged in the code space.
    public func latentMap(side: Int) -> Sheet {
        let q = (0..<side).map { i in Float(normalQuantile((Double(i) + 0.5) / Double(side))) }
        var points: [Float] = []
        for row in 0..<side { for col in 0..<side { points += [q[col], q[side - 1 - row]] } }
        let images = withNoGrad { decoder(Tensor(points, shape: [side * side, 2])).sigmoid() }
        return Sheet(name: "latent-map", images: images.reshaped([side * side] + config.imageShape), columns: side)
    }
}

/// The standard normal quantile function (Acklam's rational approximation, relative error < 1.2e-9).
func normalQuantile(_ p: Double) -> Double {
    let a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
             -3.066479806614716e+01, 2.506628277459239e+00]
    let b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
             -1.328068155288572e+01]
    let c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
             4.374664141464968e+00, 2.938163982698783e+00]
    let d = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00]
    let low = 0.02425
    if p < low {
        let q = (-2 * log(p)).squareRoot()
        return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1)
    }
    if p > 1 - low { return -normalQuantile(1 - p) }
    let q = p - 0.5, r = q * q
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1)
}
