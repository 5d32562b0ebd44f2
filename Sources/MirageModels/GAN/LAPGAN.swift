import Foundation
import MirageNN
import MirageTensor

/// LAPGAN (Denton et al., 2015): a GAN per level of a Laplacian pyramid. For 28×28 images the
/// levels are 7×7, 14×14 and 28×28: an unconditional GAN draws the 7×7 image, and at each finer
/// level a conditional GAN draws the band-pass residual given the upsampled coarser image, so
/// that each network only has to learn the detail of its own scale. Sampling runs coarse to fine.
///
/// Each level's GAN trains on its own, on the pyramid of the real batch: a finer level's
/// generator and discriminator are conditioned on the real coarser image, never on a generated
/// one. Losses are the non-saturating BCE of ``GAN`` at every level. One Adam (2e-4, (0.5,
/// 0.999)) holds every level's generator and one every level's discriminator; since the levels
/// share no parameters and Adam adapts each parameter on its own, this equals a separate
/// optimizer per level.
///
/// ```swift
/// let lapgan = LAPGAN(LAPGAN.Config())
/// let digits = lapgan.sample(count: 16, generator: RandomGenerator(seed: 0))  // [16, 1, 28, 28]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1506.05751>
public final class LAPGAN: GenerativeModel, NoiseToImageModel {
    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// Pyramid levels, the image's own included: 3 is 28 → 14 → 7.
        public var levels = 3
        /// The coarse generator's noise vector; finer levels take one noise plane each.
        public var noise = 100
        /// Channels of the coarse level's networks.
        public var coarseWidth = 64
        /// Channels of the finer levels' networks.
        public var bandWidth = 32
        public var learningRate: Float = 2e-4
        public var beta1: Float = 0.5
        public var beta2: Float = 0.999
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config
    public let laplacianGenerator: LaplacianGenerator
    public let discriminator: LaplacianDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// Draws the noise vectors and planes during training.
    let noise: RandomGenerator

    public init(_ config: Config) {
        precondition(config.imageShape.count == 3 && config.levels >= 2
                     && config.imageShape[1] == config.imageShape[2]
                     && config.imageShape[1] % (1 << (config.levels - 1)) == 0,
                     "LAPGAN: \(config.imageShape) images do not make a \(config.levels)-level pyramid")
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        laplacianGenerator = LaplacianGenerator(noise: config.noise, imageShape: config.imageShape, levels: config.levels,
                                                coarseWidth: config.coarseWidth, bandWidth: config.bandWidth, generator: g)
        discriminator = LaplacianDiscriminator(channels: config.imageShape[0], sizes: laplacianGenerator.sizes,
                                               coarseWidth: config.coarseWidth, bandWidth: config.bandWidth, generator: g)
        dcganInitialize(laplacianGenerator, generator: g)
        dcganInitialize(discriminator, generator: g)
        let betas = (config.beta1, config.beta2)
        optimizerG = Adam(laplacianGenerator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        optimizerD = Adam(discriminator.trainableParameters(), learningRate: config.learningRate, betas: betas)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("generator", laplacianGenerator), ("discriminator", discriminator)] }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("discriminator", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    /// Pixels in [-1, 1]; the coarse generator's batch norm after its linear layer needs two
    /// images a batch.
    public var data: DataRequirement { DataRequirement(range: -1...1, minimumBatchSize: 2) }
    public var generator: any Layer { laplacianGenerator }
    public var noiseSize: Int { laplacianGenerator.noiseSize }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let real = input.images, n = real.shape[0]
        let sizes = laplacianGenerator.sizes
        let pyramid = LaplacianPyramid(real, levels: config.levels)
        // Each level's fakes: the coarse image from noise, and each finer image built on the
        // real coarser one, which also conditions that level's discriminator.
        var fakes = [laplacianGenerator.coarse(context.shard.draw(n) { Tensor.randn([$0, config.noise], generator: noise) })]
        var conditions: [Tensor?] = [nil]
        for (k, band) in laplacianGenerator.bands.enumerated() {
            let up = LaplacianPyramid.expand(pyramid.images[k])
            let plane = context.shard.draw(n) { Tensor.randn([$0, 1, sizes[k + 1], sizes[k + 1]], generator: noise) }
            fakes.append(up + band(up, noise: plane))
            conditions.append(up)
        }
        var metrics: [String: Float] = [:]

        var lossesD: [Tensor] = []
        for (k, d) in discriminator.levels.enumerated() {
            let dReal = d(pyramid.images[k], condition: conditions[k]), dFake = d(fakes[k].detached(), condition: conditions[k])
            let loss = AdversarialLoss.discriminator(real: dReal, fake: dFake)
            metrics["loss_d_\(sizes[k])"] = loss.item
            lossesD.append(loss)
        }
        let lossD = lossesD.dropFirst().reduce(lossesD[0], +)
        context.updater.minimize(lossD, with: optimizerD)

        // Every level's generator against its discriminator, in one update.
        let lossG = context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
            let lossesG = discriminator.levels.enumerated().map { k, d in
                let loss = AdversarialLoss.generator(d(fakes[k], condition: conditions[k]))
                metrics["loss_g_\(sizes[k])"] = loss.item
                return loss
            }
            return lossesG.dropFirst().reduce(lossesG[0], +)
        }
        metrics["loss_d"] = lossD.item
        metrics["loss_g"] = lossG.item
        return metrics
    }

    /// The noise sheets (samples, interpolations) and the pyramid of eight samples, one per row,
    /// coarse to fine, each level shown at the finest size.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        noiseSheets(noise: rng) + [Sheet(name: "levels", images: levelImages(count: 8, generator: rng), columns: config.levels)]
    }

    /// `count` samples at every level, `[count · levels, C, H, W]` in [0, 1]: each sample's
    /// levels in a row, coarsest first, upsampled to the finest size.
    public func levelImages(count: Int, generator rng: RandomGenerator) -> Tensor {
        let wasTraining = laplacianGenerator.isTraining
        laplacianGenerator.eval()
        defer { laplacianGenerator.train(wasTraining) }
        let levels = withNoGrad { laplacianGenerator.levels(Tensor.randn([count, noiseSize], generator: rng)) }
        let shape = [count, 1] + config.imageShape
        let finest = config.imageShape[1]
        let rows = levels.map { image -> Tensor in
            let factor = finest / image.shape[2]
            let full = factor == 1 ? image : upsampleNearest2d(image, scale: (factor, factor))
            return toUnitRange(full, from: -1...1).reshaped(shape)
        }
        return Tensor.concat(rows, axis: 1).reshaped([count * config.levels] + config.imageShape)
    }
}
