import Foundation
import MirageData
import MirageNN
import MirageTensor

/// StyleGAN2 (Karras et al., 2020; configuration E without progressive growing), scaled for a
/// CPU: a ``MappingNetwork`` z → w, a ``SynthesisNetwork`` of modulated convolutions with noise
/// inputs and skip-connected toRGB outputs, a residual ``StyleDiscriminator`` with the minibatch
/// standard deviation, the non-saturating logistic loss, lazy R1 on real images (every 16
/// steps), lazy path-length regularisation of the generator (every 4 steps), style mixing
/// (two w's with a random crossover in 90% of batches), an exponential moving average of the
/// generator that sampling uses, and Adam (0, 0.99) with the lazy-regularisation corrections.
///
/// Images train at the smallest side 4·2ᵏ that holds them, padded with the background (−1);
/// samples are cropped back, so MNIST's digits come out 28×28.
///
/// ```swift
/// let model = StyleGAN(StyleGAN.Config())
/// let losses = model.trainStep(StepInput(images: batch), context: context)   // batch in [-1, 1]
/// let digits = model.sample(count: 16, generator: RandomGenerator(seed: 1))   // [16, 1, 28, 28] in [0, 1]
/// ```
///
/// - SeeAlso: Karras et al., "Analyzing and Improving the Image Quality of StyleGAN", CVPR 2020,
///   <https://arxiv.org/abs/1912.04958>; "A Style-Based Generator Architecture for GANs", 2019,
///   <https://arxiv.org/abs/1812.04948>
public final class StyleGAN: GenerativeModel, Sampling {
    public struct Config: Codable, Equatable, Sendable {
        /// `[C, H, W]` of the training images (square).
        public var imageShape = [1, 28, 28]
        /// The size of z and w.
        public var latent = 128
        public var mappingLayers = 8
        /// Channels at 4×4 and 8×8, halving at each higher resolution (at least 16).
        public var channels = 128
        /// γ of the R1 penalty on real images.
        public var r1: Float = 1
        /// Weight of the path-length penalty (0 turns it off).
        public var pathLength: Float = 2
        /// Share of batches whose images mix two latents.
        public var styleMixing: Float = 0.9
        public var learningRate: Float = 0.0025
        /// Images after which the generator's moving average halves an old weight's share.
        public var averageHalfLife = 10_000
        public var seed: UInt64 = 0
        public init() {}

        /// The side the networks work at: the smallest 4·2ᵏ that holds the images.
        public var side: Int {
            var s = 4
            while s < imageShape[1] { s *= 2 }
            return s
        }

        /// Why these images cannot be trained on, or `nil`.
        var unsuitability: String? {
            guard imageShape.count == 3, (1...4).contains(imageShape[0]), imageShape[1] == imageShape[2],
                  (4...256).contains(imageShape[1]) else {
                return "images of shape \(imageShape) are not square [C, H, H] with 1 to 4 channels and sides of 4 to 256"
            }
            guard (side - imageShape[1]) % 2 == 0 else {
                return "a side of \(imageShape[1]) cannot be padded evenly to \(side), a power of two times 4 (pad it to an even difference first)"
            }
            return nil
        }
    }

    public let config: Config
    public let mapping: MappingNetwork
    public let synthesis: SynthesisNetwork
    /// The moving average of the generator (mapping and synthesis), which sampling uses.
    public let averageMapping: MappingNetwork
    public let averageSynthesis: SynthesisNetwork
    public let discriminator: StyleDiscriminator
    let optimizerG: Adam, optimizerD: Adam
    let noise: RandomGenerator
    /// The running mean of path lengths the penalty compares with.
    var pathLengthMean: Float = 0
    static let r1Interval = 16, pathLengthInterval = 4

    public init(_ config: Config) {
        precondition(config.unsuitability == nil, "StyleGAN: \(config.unsuitability ?? "")")
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        let (side, c) = (config.side, config.imageShape[0])
        mapping = MappingNetwork(dimension: config.latent, layers: config.mappingLayers, generator: g)
        synthesis = SynthesisNetwork(side: side, imageChannels: c, base: config.channels, wDimension: config.latent, generator: g)
        discriminator = StyleDiscriminator(side: side, imageChannels: c, base: config.channels, generator: g)
        // The averages start as copies.
        averageMapping = MappingNetwork(dimension: config.latent, layers: config.mappingLayers, generator: g)
        averageSynthesis = SynthesisNetwork(side: side, imageChannels: c, base: config.channels, wDimension: config.latent, generator: g)
        do {
            try averageMapping.loadStateDict(Dictionary(uniqueKeysWithValues: mapping.stateDict()))
            try averageSynthesis.loadStateDict(Dictionary(uniqueKeysWithValues: synthesis.stateDict()))
        } catch { preconditionFailure("StyleGAN: the averages do not fit their networks: \(error)") }
        averageMapping.eval()
        averageSynthesis.eval()
        // Lazy regularisation takes a larger step every k steps; the paper corrects Adam's
        // learning rate and β₂ by c = k / (k + 1) so that the whole matches the non-lazy one.
        func adam(_ parameters: [Tensor], interval: Int) -> Adam {
            let ratio = Float(interval) / Float(interval + 1)
            return Adam(parameters, learningRate: config.learningRate * ratio, betas: (0, Float(pow(0.99, Double(ratio)))), eps: 1e-8)
        }
        optimizerG = adam(mapping.trainableParameters() + synthesis.trainableParameters(), interval: Self.pathLengthInterval)
        optimizerD = adam(discriminator.trainableParameters(), interval: Self.r1Interval)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] {
        [("mapping", mapping), ("synthesis", synthesis), ("mapping_ema", averageMapping), ("synthesis_ema", averageSynthesis),
         ("discriminator", discriminator)]
    }
    public var optimizers: [(String, Optimizer)] { [("generator", optimizerG), ("discriminator", optimizerD)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    public var data: DataRequirement { DataRequirement(range: -1...1, minimumBatchSize: 2) }
    public var sampleShape: [Int] { config.imageShape }
    public var state: [String: Tensor] { ["path_length_mean": Tensor([pathLengthMean])] }
    public func restoreState(_ state: [String: Tensor]) throws {
        guard let mean = state["path_length_mean"], mean.count == 1, mean.scalars[0].isFinite else {
            throw ModelConfigurationError.unsuitable(kind: "stylegan", reason: "the checkpoint's state.path_length_mean is missing or not one finite number")
        }
        pathLengthMean = mean.scalars[0]
    }

    /// Pads images to the networks' side with the background value.
    func padded(_ x: Tensor) -> Tensor {
        let p = (config.side - x.shape[2]) / 2
        return p == 0 ? x : x.padded([(0, 0), (0, 0), (p, p), (p, p)], value: -1)
    }

    /// Crops the networks' images back to the data's side.
    func cropped(_ x: Tensor) -> Tensor {
        let p = (config.side - config.imageShape[1]) / 2
        return p == 0 ? x : x.sliced([0..<x.shape[0], 0..<x.shape[1], p..<(p + config.imageShape[1]), p..<(p + config.imageShape[2])])
    }

    /// Rows of w `(N, wCount, d)`: each image's w in every row, or, with probability
    /// ``Config/styleMixing``, a second w from a crossover row on (one crossover for the batch,
    /// drawn in 1 ..< wCount).
    func trainingStyles(count n: Int, shard: BatchShard) -> Tensor {
        let d = config.latent, rows = synthesis.wCount
        let w1 = mapping(shard.draw(n) { Tensor.randn([$0, d], generator: noise) })
        var ws = w1.unsqueezed(axis: 1).expanded(to: [n, rows, d])
        if noise.nextUniform() < config.styleMixing {
            let crossover = 1 + noise.nextIndex(below: rows - 1)
            let w2 = mapping(shard.draw(n) { Tensor.randn([$0, d], generator: noise) })
            ws = Self.mixed(ws, w2, from: crossover)
        }
        return ws
    }

    /// `ws` with rows `from ..<` replaced by `w` `(N, d)`.
    public static func mixed(_ ws: Tensor, _ w: Tensor, from crossover: Int) -> Tensor {
        let (n, rows, d) = (ws.shape[0], ws.shape[1], ws.shape[2])
        guard crossover < rows else { return ws }
        return Tensor.concat([ws.sliced(axis: 1, 0..<crossover), w.unsqueezed(axis: 1).expanded(to: [n, rows - crossover, d])], axis: 1)
    }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let shard = context.shard
        mapping.shard = shard
        let real = padded(input.images), n = real.shape[0]
        let randomNoise = NoiseInputs.random(noise, shard)
        var metrics: [String: Float] = [:]

        // The discriminator's logistic loss, on real images and the generator's.
        let fake = withNoGrad { synthesis(trainingStyles(count: n, shard: shard), noise: randomNoise) }
        let dReal = discriminator(real), dFake = discriminator(fake)
        let lossD = dFake.softplus().mean() + (-dReal).softplus().mean()
        context.updater.minimize(lossD, with: optimizerD)
        metrics["loss_d"] = lossD.item
        metrics["d_real"] = dReal.mean().item
        metrics["d_fake"] = dFake.mean().item

        // Lazy R1: γ/2·E‖∇D(x)‖² on real images, every 16 steps, weighted by 16.
        if context.step % Self.r1Interval == 0, config.r1 > 0 {
            let x = real.requiringGrad()
            let g = gradients(of: discriminator(x).sum(), wrt: [x], createGraph: true)[0]
            let penalty = (g * g).sum(axes: [1, 2, 3]).mean()
            context.updater.minimize(penalty * (config.r1 / 2 * Float(Self.r1Interval)), with: optimizerD)
            metrics["r1"] = penalty.item
        }

        // The generator's non-saturating loss.
        let lossG = context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
            (-discriminator(synthesis(trainingStyles(count: n, shard: shard), noise: randomNoise))).softplus().mean()
        }
        metrics["loss_g"] = lossG.item

        // Lazy path-length regularisation: ‖Jᵀy‖ for image-space noise y should not depend on w;
        // every 4 steps on half the batch, weighted by 4.
        if context.step % Self.pathLengthInterval == 0, config.pathLength > 0 {
            let m = Swift.max(1, n / 2)
            let ws = trainingStyles(count: m, shard: shard)
            let images = synthesis(ws, noise: randomNoise)
            let (h, w) = (images.shape[2], images.shape[3])
            let y = shard.draw(m) { Tensor.randn([$0] + Array(images.shape.dropFirst()), generator: noise) } * (1 / Float(h * w).squareRoot())
            let g = gradients(of: (images * y).sum(), wrt: [ws], createGraph: true)[0]
            let lengths = ((g * g).sum(axes: [2]).mean(axes: [1]) + 1e-8).sqrt()
            // The running mean of all processes' lengths, the same on every process.
            let batchMean = shard.sum(lengths.mean().detached().reshaped([1])).item / Float(shard.count)
            pathLengthMean += 0.01 * (batchMean - pathLengthMean)
            let penalty = ((lengths - pathLengthMean) * (lengths - pathLengthMean)).mean()
            context.updater.minimize(penalty * (config.pathLength * Float(Self.pathLengthInterval)), with: optimizerG)
            metrics["path_length"] = batchMean
        }

        // The moving average of the generator: half-life in images of the global batch.
        let decay = Float(pow(0.5, Double(n * shard.count) / Double(Swift.max(1, config.averageHalfLife))))
        ExponentialMovingAverage.update(averageMapping, from: mapping, decay: decay)
        ExponentialMovingAverage.update(averageSynthesis, from: synthesis, decay: decay)
        return metrics
    }

    /// w from the averaged mapping network for latents z, truncated by ψ.
    public func styles(_ z: Tensor, psi: Float = 1) -> Tensor {
        withNoGrad { averageMapping.truncated(averageMapping(z), psi: psi) }
    }

    /// Images in [0, 1] from rows of styles `(N, wCount, d)`, with the averaged synthesis network.
    public func images(styles ws: Tensor, noise: NoiseInputs) -> Tensor {
        var parts: [Tensor] = []
        for start in stride(from: 0, to: ws.shape[0], by: 256) {
            let rows = ws.sliced(axis: 0, start..<Swift.min(ws.shape[0], start + 256))
            parts.append(withNoGrad { toUnitRange(cropped(averageSynthesis(rows, noise: noise)), from: -1...1) })
        }
        return Tensor.concat(parts, axis: 0)
    }

    /// Every row of w the same.
    func broadcastStyles(_ w: Tensor) -> Tensor {
        w.unsqueezed(axis: 1).expanded(to: [w.shape[0], synthesis.wCount, w.shape[1]])
    }

    /// Samples with truncation ψ and the chosen noise.
    public func sample(count: Int, psi: Float = 1, noise noiseMode: NoiseInputMode = .random, generator rng: RandomGenerator) -> Tensor {
        let z = Tensor.randn([count, config.latent], generator: rng)
        return images(styles: broadcastStyles(styles(z, psi: psi)), noise: noiseMode == .random ? .random(rng, .whole) : .zero)
    }

    public func sample(count: Int, generator rng: RandomGenerator) -> Tensor { sample(count: count, psi: 1, generator: rng) }

    /// Images whose styles come from `source` except the `rows` ones, which come from `other`
    /// (both `(N, d)` latents z), truncated by ψ.
    public func mixed(source: Tensor, other: Tensor, rows: StyleRows, psi: Float = 1, noise noiseMode: NoiseInputMode = .zero,
                      generator rng: RandomGenerator) -> Tensor {
        let a = broadcastStyles(styles(source, psi: psi)), b = broadcastStyles(styles(other, psi: psi))
        let coarse = synthesis.coarseRows.count, all = synthesis.wCount
        let ws = rows == .coarse
            ? Tensor.concat([b.sliced(axis: 1, 0..<coarse), a.sliced(axis: 1, coarse..<all)], axis: 1)
            : Tensor.concat([a.sliced(axis: 1, 0..<coarse), b.sliced(axis: 1, coarse..<all)], axis: 1)
        return images(styles: ws, noise: noiseMode == .random ? .random(rng, .whole) : .zero)
    }

    /// The paper's style-mixing figure: a blank corner, `columns` sources along the top, `rows`
    /// along the side, and inside each pair mixed, the side's image with the top's coarse styles.
    public func mixingGrid(rows: Int, columns: Int, psi: Float = 1, generator rng: RandomGenerator) -> Sheet {
        let top = Tensor.randn([columns, config.latent], generator: rng), side = Tensor.randn([rows, config.latent], generator: rng)
        let topImages = images(styles: broadcastStyles(styles(top, psi: psi)), noise: .zero)
        let sideImages = images(styles: broadcastStyles(styles(side, psi: psi)), noise: .zero)
        var cells = [Tensor.zeros([1] + config.imageShape), topImages]
        for r in 0..<rows {
            let source = side.sliced(axis: 0, r..<(r + 1)).expanded(to: [columns, config.latent])
            cells += [sideImages.sliced(axis: 0, r..<(r + 1)), mixed(source: source, other: top, rows: .coarse, psi: psi, generator: rng)]
        }
        return Sheet(name: "mixing", images: Tensor.concat(cells, axis: 0), columns: columns + 1)
    }

    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let z = Tensor.randn([64, config.latent], generator: rng)
        let w = styles(z)
        let samples = Sheet(name: "samples", images: images(styles: broadcastStyles(w), noise: .random(rng, .whole)), columns: 8)
        let truncated = Sheet(name: "samples-psi0.7", images: images(styles: broadcastStyles(styles(z, psi: 0.7)), noise: .random(rng, .whole)),
                              columns: 8)
        // Noise variation: one w per row, eight noise draws along it.
        let rows = broadcastStyles(w.sliced(axis: 0, 0..<4)).unsqueezed(axis: 1).expanded(to: [4, 8, synthesis.wCount, config.latent])
        let variation = Sheet(name: "noise", images: images(styles: rows.reshaped([32, synthesis.wCount, config.latent]),
                                                            noise: .random(rng, .whole)), columns: 8)
        return [samples, truncated, mixingGrid(rows: 5, columns: 6, generator: rng), variation]
    }
}

extension StyleGAN: StyleMixingModel {
    public var hasFineStyles: Bool { synthesis.wCount > synthesis.coarseRows.count }
    public var noiseSize: Int { config.latent }
    public func intermediate(_ z: Tensor) -> Tensor { styles(z) }
    /// The same w at every layer, no noise inputs.
    public func images(intermediate w: Tensor) -> Tensor { images(styles: broadcastStyles(w), noise: .zero) }
}
