import Foundation
import MirageEval
import MirageNN
import MirageTensor

/// PixelCNN (van den Oord et al., 2016) and Gated PixelCNN: an autoregressive model of gray
/// images, p(x) = ∏ᵢ p(xᵢ | x₁ … xᵢ₋₁) over the pixels in raster order, with every conditional
/// computed in one pass of a masked network, so the likelihood is exact.
///
/// Pixels are Bernoulli (binarised images, one logit each) or categorical over the 256 levels of
/// an 8-bit image (256 logits each). Training maximises the exact log-likelihood (logged as
/// `nll`, nats per image, and `bits_per_dim`). Sampling draws one pixel at a time for a whole
/// batch; each pass computes one row of every layer, reusing the rows above from earlier passes
/// (``AutoregressiveNetwork/rowSampler(labels:)``), not the whole image.
///
/// ```swift
/// let model = PixelCNN(PixelCNN.Config())
/// let nll = model.negativeLogLikelihood(binarised, labels: nil)   // [N] nats, exact
/// let digits = model.sample(count: 16, generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1601.06759>, <https://arxiv.org/abs/1606.05328>
public final class PixelCNN: GenerativeModel, ConditionalSampling, LikelihoodModel {
    /// What each pixel is.
    public enum Output: String, Codable, Sendable, CaseIterable {
        /// Binary pixels: images binarised (dynamically in training, by a seeded draw in
        /// `mirage eval nll`), one Bernoulli each.
        case bernoulli
        /// 8-bit gray levels, a 256-way softmax each.
        case categorical

        /// Logits per pixel.
        public var logits: Int { self == .bernoulli ? 1 : 256 }
    }

    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// Gated PixelCNN (vertical and horizontal stacks, no blind spot) instead of the original.
        public var gated = false
        public var output = Output.bernoulli
        /// h: channels of the gated stacks; the original's residual stream has 2h.
        public var filters = 32
        /// Layers after the first 7×7 one: residual blocks, or gated layers.
        public var layers = 6
        /// Classes of a class-conditional model; 0 for an unconditional one.
        public var classes = 0
        public var learningRate: Float = 1e-3
        /// Gradients are clipped to this global norm.
        public var gradientClip: Float = 100
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config
    public let network: any AutoregressiveNetwork
    let optimizer: Adam

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        network = config.gated
            ? GatedPixelCNNNetwork(filters: config.filters, layers: config.layers, outputs: config.output.logits, classes: config.classes, generator: g)
            : PixelCNNNetwork(filters: config.filters, blocks: config.layers, outputs: config.output.logits, classes: config.classes, generator: g)
        optimizer = Adam(network.trainableParameters(), learningRate: config.learningRate)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("network", network)] }
    public var optimizers: [(String, Optimizer)] { [("adam", optimizer)] }
    public var generators: [(String, RandomGenerator)] { [] }
    public var data: DataRequirement {
        DataRequirement(range: 0...1, dynamicBinarization: config.output == .bernoulli, needsLabels: config.classes > 0)
    }
    public var classCount: Int { config.classes }
    /// Pixels per image.
    var dimensions: Int { config.imageShape.reduce(1, *) }

    /// −log p(x) per image in nats, exact: `x` `[N, 1, H, W]` binary (Bernoulli) or on the 8-bit
    /// grid k/255 (categorical); `labels` `[N]` for a class-conditional model.
    public func negativeLogLikelihood(_ x: Tensor, labels: Tensor?) -> Tensor {
        let logits = network(x, labels: config.classes > 0 ? labels : nil)
        switch config.output {
        case .bernoulli:
            return -bernoulliLogLikelihood(x, logits: logits)
        case .categorical:
            let levels = Tensor(x.scalars.map { ($0 * 255).rounded() }, shape: x.shape)
            let picked = logits.logSoftmax(axis: 1).gather(axis: 1, indices: levels)
            return -picked.reshaped([x.shape[0], -1]).sum(axis: 1)
        }
    }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let nll = negativeLogLikelihood(quantised(input.images), labels: input.labels).mean()
        context.updater.minimize(nll, with: optimizer, clippingNorm: config.gradientClip)
        let nats = nll.item
        return ["nll": nats, "bits_per_dim": Float(BitsPerDimension.fromNats(Double(nats), dimensions: dimensions))]
    }

    /// Categorical pixels snapped to the 8-bit grid (binarised ones are already 0 or 1).
    func quantised(_ images: Tensor) -> Tensor {
        config.output == .categorical ? Tensor(images.scalars.map { ($0 * 255).rounded() / 255 }, shape: images.shape) : images
    }

    // MARK: Sampling

    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        sample(count: count, class: nil, generator: generator) { _, _ in }
    }

    public func sample(count: Int, class label: Int, generator: RandomGenerator) -> Tensor {
        sample(count: count, class: label, generator: generator) { _, _ in }
    }

    /// New samples in [0, 1], one pass of the network per pixel; `label` picks a class of a
    /// class-conditional model (without one it draws every class in turn), `progress` hears
    /// (passes done, passes in all).
    public func sample(count: Int, class label: Int?, generator: RandomGenerator, progress: (Int, Int) -> Void) -> Tensor {
        // Without a class, a conditional model cycles through its classes, as the conditional GAN does.
        let labels = config.classes > 0 ? (0..<count).map { label ?? $0 % config.classes } : nil
        return generate(Tensor.zeros([count] + config.imageShape), labels: labels, fromPixel: 0, generator: generator, progress: progress)
    }

    /// Images whose pixels from `fromPixel` on (in raster order) are drawn anew given the pixels
    /// before it: completions of the given images (from their first pixel, new samples).
    /// 256 images at a time; `progress` hears (pixels drawn, pixels in all).
    public func generate(_ start: Tensor, labels: [Int]?, fromPixel: Int, generator: RandomGenerator,
                         progress: (Int, Int) -> Void) -> Tensor {
        let (height, width) = (config.imageShape[1], config.imageShape[2])
        let pixels = height * width, count = start.shape[0]
        let chunk = 256
        let chunks = (count + chunk - 1) / chunk
        let perChunk = pixels - fromPixel
        var result = start.scalars
        withNoGrad {
            for c in 0..<chunks {
                let range = (c * chunk)..<min(count, (c + 1) * chunk)
                let n = range.count
                let chunkLabels = labels.map { Tensor(Array($0[range]).map(Float.init)) }
                var images = Array(result[(range.lowerBound * pixels)..<(range.upperBound * pixels)])
                let rows = network.rowSampler(labels: chunkLabels)
                // The image's rows max(0, row − 3) … row, what a row's pass reads.
                func recent(_ row: Int) -> Tensor {
                    let top = max(0, row - 3), m = row - top + 1
                    var window = [Float](repeating: 0, count: n * m * width)
                    for i in 0..<n {
                        window.replaceSubrange((i * m * width)..<((i + 1) * m * width),
                                               with: images[(i * pixels + top * width)..<(i * pixels + (row + 1) * width)])
                    }
                    return Tensor(window, shape: [n, 1, m, width])
                }
                let k = config.output.logits
                for row in 0..<height {
                    for column in 0..<width where row * width + column >= fromPixel {
                        // The logits of pixel (row, column) for every image: [n, k].
                        let logits = rows.logits(recent(row))
                        let picked = logits.sliced([0..<n, 0..<k, 0..<1, column..<(column + 1)]).scalars
                        let p = row * width + column
                        for i in 0..<n {
                            images[i * pixels + p] = draw(Array(picked[(i * k)..<((i + 1) * k)]), generator: generator)
                        }
                        progress(c * perChunk + p - fromPixel + 1, chunks * perChunk)
                    }
                    if row < height - 1 { rows.finish(recent(row)) }
                }
                result.replaceSubrange((range.lowerBound * pixels)..<(range.upperBound * pixels), with: images)
            }
        }
        return Tensor(result, shape: start.shape)
    }

    /// One pixel's value drawn from its logits: 0 or 1, or a level k/255.
    func draw(_ logits: [Float], generator: RandomGenerator) -> Float {
        let u = generator.nextUniform()
        if logits.count == 1 { return u < 1 / (1 + Foundation.exp(-logits[0])) ? 1 : 0 }
        let top = logits.max()!
        let weights = logits.map { Foundation.exp($0 - top) }
        var threshold = u * weights.reduce(0, +)
        for (k, w) in weights.enumerated() {
            threshold -= w
            if threshold < 0 { return Float(k) / 255 }
        }
        return Float(logits.count - 1) / 255
    }

    public func sheets(fixed input: StepInput, noise: RandomGenerator) -> [Sheet] {
        let (height, width) = (config.imageShape[1], config.imageShape[2])
        // Samples: one class per row for a conditional model.
        let samples: Tensor
        if config.classes > 0 {
            let rows = min(config.classes, 10)
            let labels = (0..<rows).flatMap { Array(repeating: $0, count: 8) }
            samples = generate(Tensor.zeros([labels.count] + config.imageShape), labels: labels, fromPixel: 0, generator: noise) { _, _ in }
        } else {
            samples = sample(count: 64, generator: noise)
        }
        var sheets = [Sheet(name: "samples", images: samples, columns: 8)]
        // Completions: the top half of 8 test images kept, the rest drawn three times, beside the original.
        let n = min(8, input.images.shape[0])
        if n > 0 {
            let shown = input.images.sliced(axis: 0, 0..<n)
            // Binary pixels for a Bernoulli model: the fixed images are gray, so threshold them.
            let originals = config.output == .bernoulli ? (shown .> 0.5) : quantised(shown)
            let labels = config.classes > 0 ? input.labels.sliced(axis: 0, 0..<n).scalars.map { Int($0) } : nil
            let repeated = Tensor.concat([originals, originals, originals], axis: 0)
            let completed = generate(repeated, labels: labels.map { $0 + $0 + $0 }, fromPixel: height / 2 * width, generator: noise) { _, _ in }
            let parts = completed.split(sizes: [n, n, n], axis: 0)
            // Each row: the original, then its three completions.
            let rows = (0..<n).flatMap { i in [originals, parts[0], parts[1], parts[2]].map { $0.sliced(axis: 0, i..<(i + 1)) } }
            sheets.append(Sheet(name: "completions", images: Tensor.concat(rows, axis: 0), columns: 4))
        }
        return sheets
    }

    // MARK: Likelihood

    public var likelihoodUnavailableReason: String? { nil }

    /// A Bernoulli model's likelihood is of binarised pixels, a categorical one's of 8-bit ones.
    public var likelihoodIsOfBinaryPixels: Bool { config.output == .bernoulli }

    /// Binarised by a seeded draw (each pixel a Bernoulli of its intensity, as the VAE's), or snapped
    /// to the 8-bit grid.
    public func likelihoodInput(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        config.output == .bernoulli ? Tensor.bernoulli(probabilities: images, generator: generator) : quantised(images)
    }

    /// Exact. A class-conditional model's is the marginal over its classes under a uniform prior,
    /// −log Σ_c p(c) p(x | c), one pass per class, so it compares with unconditional models'.
    public func negativeLogLikelihood(_ x: Tensor, samples: Int, generator: RandomGenerator) -> LikelihoodEstimate {
        withNoGrad {
            guard config.classes > 0 else { return LikelihoodEstimate(nll: negativeLogLikelihood(x, labels: nil), method: "exact") }
            let n = x.shape[0]
            let perClass = (0..<config.classes).map { c in
                -negativeLogLikelihood(x, labels: Tensor(Array(repeating: Float(c), count: n))).reshaped([1, n])
            }
            let logMarginal = Tensor.concat(perClass, axis: 0).logSumExp(axis: 0) - Float(Foundation.log(Double(config.classes)))
            return LikelihoodEstimate(nll: -logMarginal, method: "exact, marginal over \(config.classes) classes")
        }
    }
}
