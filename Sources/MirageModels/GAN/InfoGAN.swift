import Foundation
import MirageNN
import MirageTensor

/// InfoGAN's discriminator: the DCGAN discriminator's convolutional body, one head for the
/// real/fake logit and one, Q, that recovers the latent codes from an image: logits of the
/// categorical code and the means of the continuous ones.
public final class InfoGANDiscriminator: Module, Layer {
    public let c1: Conv2d
    public let c2: Conv2d
    public let bn2: BatchNorm2d
    public let fc: Linear
    public let q1: Linear
    public let qbn: BatchNorm1d
    public let q2: Linear

    public init(channels: Int = 1, categories: Int = 10, continuous: Int = 2, generator g: RandomGenerator) {
        c1 = Conv2d(channels, 64, kernelSize: 4, stride: 2, padding: 1, generator: g)
        c2 = Conv2d(64, 128, kernelSize: 4, stride: 2, padding: 1, generator: g)
        bn2 = BatchNorm2d(128)
        fc = Linear(128 * 7 * 7, 1, generator: g)
        q1 = Linear(128 * 7 * 7, 128, generator: g)
        qbn = BatchNorm1d(128)
        q2 = Linear(128, categories + continuous, generator: g)
    }

    /// The shared body's features, `[B, 128·7·7]`.
    func body(_ x: Tensor) -> Tensor {
        bn2(c2(c1(x).leakyRelu(0.2)), then: .leakyRelu(negativeSlope: 0.2)).flattened(startAxis: 1)
    }

    /// The real/fake logits, `[B, 1]`.
    public func callAsFunction(_ x: Tensor) -> Tensor { fc(body(x)) }

    /// Both heads: the logits and Q's code predictions `[B, categories + continuous]`.
    public func withCodes(_ x: Tensor) -> (logits: Tensor, codes: Tensor) {
        let h = body(x)
        return (fc(h), q2(qbn(q1(h)).leakyRelu(0.2)))
    }
}

/// InfoGAN (Chen et al., 2016): a GAN whose generator also takes a 10-way categorical code and 2
/// continuous codes, and whose discriminator's auxiliary head Q must recover them from the image.
/// Maximising this lower bound on the mutual information between codes and images (λ = 1 for the
/// categorical code's cross-entropy, 0.1 for the continuous codes' squared error, a Gaussian of
/// fixed variance) makes the codes mean something without any labels: on MNIST the categorical
/// code tends to pick the digit and the continuous ones rotation and width.
///
/// Each step: a discriminator update on BCE, a generator update on its BCE (the discriminator
/// frozen), then an update of the generator and the whole discriminator (body and Q) on the
/// information loss, with fresh codes.
///
/// ```swift
/// let info = InfoGAN(InfoGAN.Config())
/// let code7 = info.sample(count: 16, class: 7, generator: RandomGenerator(seed: 0))  // categorical code 7
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1606.03657>
public final class InfoGAN: GenerativeModel, ConditionalSampling {
    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        public var noise = 62
        public var categories = 10
        public var continuous = 2
        /// λ of the categorical code's term; the continuous codes' is a tenth of it.
        public var information: Float = 1
        public var learningRate: Float = 2e-4
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config
    public let generator: DCGANGenerator
    public let discriminator: InfoGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// Minimises the information loss over the generator and the whole discriminator.
    let optimizerInfo: Adam
    let noise: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        generator = DCGANGenerator(noise: config.noise + config.categories + config.continuous, channels: config.imageShape[0],
                                   generator: g)
        discriminator = InfoGANDiscriminator(channels: config.imageShape[0], categories: config.categories,
                                             continuous: config.continuous, generator: g)
        dcganInitialize(generator, generator: g)
        dcganInitialize(discriminator, generator: g)
        optimizerG = Adam(generator.trainableParameters(), learningRate: config.learningRate, betas: (0.5, 0.999))
        optimizerD = Adam(discriminator.trainableParameters(), learningRate: config.learningRate, betas: (0.5, 0.999))
        optimizerInfo = Adam(generator.trainableParameters() + discriminator.trainableParameters(),
                             learningRate: config.learningRate, betas: (0.5, 0.999))
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", generator), ("discriminator", discriminator)] }
    public var optimizers: [(String, Optimizer)] {
        [("generator", optimizerG), ("discriminator", optimizerD), ("information", optimizerInfo)]
    }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    public var data: DataRequirement { DataRequirement(range: -1...1, minimumBatchSize: 2) }
    public var classCount: Int { config.categories }

    /// The generator's input for noise, categorical codes and continuous codes.
    func latent(_ z: Tensor, categories: [Int], continuous: Tensor) -> Tensor {
        Tensor.concat([z, Tensor.oneHot(categories, classes: config.categories), continuous], axis: 1)
    }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let real = input.images, n = real.shape[0]
        func draw() -> (z: Tensor, categories: [Int], continuous: Tensor) {
            let shard = context.shard
            return (shard.draw(n) { Tensor.randn([$0, config.noise], generator: noise) },
                    shard.draw(n) { noise.nextIndex(below: config.categories) },
                    shard.draw(n) { Tensor.rand([$0, config.continuous], low: -1, high: 1, generator: noise) })
        }
        var codes = draw()
        let fake = generator(latent(codes.z, categories: codes.categories, continuous: codes.continuous))

        let dReal = discriminator(real), dFake = discriminator(fake.detached())
        let lossD = AdversarialLoss.discriminator(real: dReal, fake: dFake)
        context.updater.minimize(lossD, with: optimizerD)
        let lossG = context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
            AdversarialLoss.generator(discriminator(fake))
        }

        // The information step, on fresh codes: the generator and the whole discriminator (body
        // and Q) make the codes recoverable from the image.
        codes = draw()
        let predicted = discriminator.withCodes(generator(latent(codes.z, categories: codes.categories, continuous: codes.continuous)))
            .codes.split(sizes: [config.categories, config.continuous], axis: 1)
        let categorical = crossEntropy(predicted[0], Tensor(codes.categories.map(Float.init)))
        let continuousError = mseLoss(predicted[1], codes.continuous)
        let information = (categorical + continuousError * 0.1) * config.information
        context.updater.minimize(information, with: optimizerInfo)
        return ["loss_d": lossD.item, "loss_g": lossG.item, "info_categorical": categorical.item,
                "info_continuous": continuousError.item]
    }

    /// Images for the given categorical and continuous codes, in [0, 1], with fresh noise.
    func images(categories: [Int], continuous: Tensor, generator rng: RandomGenerator) -> Tensor {
        generateImages(generator, count: categories.count) { range in
            latent(Tensor.randn([range.count, config.noise], generator: rng), categories: Array(categories[range]),
                   continuous: continuous.sliced(axis: 0, range))
        }
    }

    /// Samples with the categorical code fixed to `label` and the continuous codes drawn.
    public func sample(count: Int, class label: Int, generator rng: RandomGenerator) -> Tensor {
        images(categories: Array(repeating: label, count: count),
               continuous: Tensor.rand([count, config.continuous], low: -1, high: 1, generator: rng), generator: rng)
    }

    public func sample(count: Int, generator rng: RandomGenerator) -> Tensor {
        images(categories: (0..<count).map { _ in rng.nextIndex(below: config.categories) },
               continuous: Tensor.rand([count, config.continuous], low: -1, high: 1, generator: rng), generator: rng)
    }

    /// One categorical code per row; along a row one continuous code goes from −2 to 2 (past the
    /// training range, as in the paper's traversals) with the other codes and the noise fixed.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let columns = 10, rows = config.categories
        let z = Tensor.randn([1, config.noise], generator: rng).expanded(to: [rows * columns, config.noise])
        let categories = (0..<rows).flatMap { Array(repeating: $0, count: columns) }
        let sweep = (0..<columns).map { -2 + 4 * Float($0) / Float(columns - 1) }
        return (0..<config.continuous).map { code in
            var values = [Float](repeating: 0, count: rows * columns * config.continuous)
            for r in 0..<rows { for c in 0..<columns { values[(r * columns + c) * config.continuous + code] = sweep[c] } }
            let continuous = Tensor(values, shape: [rows * columns, config.continuous])
            let x = generateImages(generator, count: rows * columns) { range in
                latent(z.sliced(axis: 0, range), categories: Array(categories[range]), continuous: continuous.sliced(axis: 0, range))
            }
            return Sheet(name: code == 0 ? "codes" : "codes-continuous-\(code + 1)", images: x, columns: columns)
        }
    }
}
