import Foundation
import MirageNN
import MirageTensor

/// A denoising diffusion probabilistic model (Ho et al., 2020): a ``NoisePredictor`` (by default
/// the ``ResidualUNet``) learns to predict the noise in `x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε` at a
/// uniformly drawn timestep (the simple ε-prediction loss), and samples are drawn by running the
/// reverse chain from pure noise, with ancestral DDPM steps or DDIM's shorter chains
/// (``DiffusionSampler``).
///
/// Sampling uses an exponential moving average of the weights (decay 0.9999, warmed up as
/// min(decay, (1 + n)/(10 + n)) after n updates, so that a short run's average is not held at the
/// initial weights). A class-conditional model (``Config/classes`` > 0) adds a class embedding to
/// the time embedding, replaces the class by "no class" for 10% of the training images, and
/// samples with classifier-free guidance (Ho & Salimans, 2022):
/// `ε̃ = (1 + w)·ε(x, c) − w·ε(x, ∅)`.
///
/// ```swift
/// let ddpm = DDPM(DDPM.Config())
/// let images = ddpm.sample(count: 16, class: nil, settings: SamplerSettings(sampler: .ddim(steps: 50, eta: 0)),
///                          generator: RandomGenerator(seed: 0)) { _, _ in }
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/2006.11239>, <https://arxiv.org/abs/2207.12598>
public final class DDPM: GenerativeModel, ConditionalSampling, AveragedWeights {
    /// The noise-prediction network.
    public enum Architecture: String, Codable, CaseIterable, Sendable {
        /// ``ResidualUNet``: residual blocks that each hear the timestep, attention at 7×7.
        case residualUNet = "resunet"
        /// ``TimeUNet``, the `ddpm_unet` benchmark's network: one convolution per level, the
        /// timestep only at the bottleneck.
        case timeUNet = "timeunet"
    }

    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// The network.
        public var architecture: Architecture = .residualUNet
        /// T.
        public var timesteps = 1000
        public var schedule = NoiseSchedule.Kind.linear
        /// The U-Net's base channel count (32: 32-64-128).
        public var width = 32
        /// Classes of a class-conditional model; 0 for an unconditional one.
        public var classes = 0
        /// The share of training images whose class is replaced by "no class".
        public var labelDropout: Float = 0.1
        public var emaDecay: Float = 0.9999
        public var learningRate: Float = 2e-4
        /// Gradients are clipped to this global norm (DDPM's 1).
        public var gradientClip: Float = 1
        /// The default sampler's DDIM steps (0: ancestral DDPM through all T steps).
        public var samplingSteps = 50
        public var eta: Float = 0
        /// The default guidance weight w of class-conditional sampling.
        public var guidance: Float = 3
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config
    public let schedule: NoiseSchedule
    /// The network being trained.
    public let unet: any NoisePredictor
    /// The network samples are drawn with: the average's weights, loaded before each sampling.
    let averagedUNet: any NoisePredictor
    let ema: ExponentialMovingAverage
    /// Updates of the average so far, for its warm-up.
    var emaUpdates = 0
    let optimizer: Adam
    /// Draws timesteps, noise and label dropout during training.
    let noise: RandomGenerator

    public init(_ config: Config) {
        self.config = config
        schedule = NoiseSchedule(config.schedule, steps: config.timesteps)
        let g = RandomGenerator(seed: config.seed)
        unet = Self.network(config, generator: g)
        averagedUNet = Self.network(config, generator: g)
        ema = ExponentialMovingAverage(of: unet, decay: config.emaDecay)
        optimizer = Adam(unet.trainableParameters(), learningRate: config.learningRate)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    static func network(_ config: Config, generator g: RandomGenerator) -> any NoisePredictor {
        switch config.architecture {
        case .residualUNet: ResidualUNet(channels: config.imageShape[0], width: config.width, classes: config.classes, generator: g)
        case .timeUNet: TimeUNet(channels: config.imageShape[0], width: config.width, classes: config.classes, generator: g)
        }
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("unet", unet)] }
    public var optimizers: [(String, Optimizer)] { [("unet", optimizer)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    public var data: DataRequirement { DataRequirement(range: -1...1, needsLabels: config.classes > 0) }
    public var classCount: Int { config.classes }

    /// The average's weights under `ema.`, and its update count.
    public var state: [String: Tensor] {
        var state = ema.state()
        state["ema_updates"] = Tensor([Float(emaUpdates)])
        return state
    }

    public func restoreState(_ state: [String: Tensor]) throws {
        try ema.restore(from: state)
        guard let updates = state["ema_updates"], updates.count == 1 else {
            throw ModelConfigurationError.unsuitable(kind: DDPMKind.name, reason: "the checkpoint has no state.ema_updates")
        }
        emaUpdates = Int(updates.item)
    }

    /// Restarts the moving average at the network's weights (after an import), with the warm-up
    /// of a fresh run.
    public func restartAverage() {
        do { try ema.reset(to: unet) } catch { preconditionFailure("DDPM: the average does not fit its network: \(error)") }
        emaUpdates = 0
    }

    public var sampleShape: [Int] { config.imageShape }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let x0 = input.images, b = x0.shape[0]
        let shard = context.shard
        let t = shard.draw(b) { noise.nextIndex(below: schedule.steps) }
        let epsilon = shard.draw(b) { Tensor.randn([$0] + x0.shape.dropFirst(), generator: noise) }
        var labels: Tensor?
        if config.classes > 0 {
            let dropped = shard.draw(b) { noise.nextUniform() < config.labelDropout }
            labels = Tensor(zip(input.labels.scalars, dropped).map { $1 ? Float(config.classes) : $0 })
        }
        let predicted = unet(schedule.noised(x0, at: t, noise: epsilon), timesteps: Tensor(t.map(Float.init)), labels: labels)
        let loss = mseLoss(predicted, epsilon)
        let norm = context.updater.minimize(loss, with: optimizer, clippingNorm: config.gradientClip)!
        emaUpdates += 1
        ema.update(from: unet, decay: ema.warmedUpDecay(update: emaUpdates))
        return ["loss": loss.item, "grad_norm": norm]
    }

    /// The sampler the settings ask for, or the configured default.
    func sampler(_ settings: SamplerSettings) -> DiffusionSampler {
        settings.sampler ?? (config.samplingSteps == 0 ? .ddpm : .ddim(steps: config.samplingSteps, eta: config.eta))
    }

    /// Puts the moving average's weights into the network samples and bounds are computed with.
    /// Both are built from one configuration, so the state dicts always fit.
    func loadAverage() {
        do { try ema.copy(to: averagedUNet) } catch { preconditionFailure("DDPM: the average does not fit its network: \(error)") }
    }

    /// Runs the reverse chain with the averaged network for `count` images, 256 at a time, in
    /// [−1, 1]. `labels` (one per image) makes a conditional draw, guided with weight `guidance`.
    func generate(count: Int, labels: [Int]?, sampler: DiffusionSampler, guidance: Float, generator rng: RandomGenerator,
                  trajectory: ((Int, Int, Tensor) -> Void)? = nil, progress: (Int, Int) -> Void) -> Tensor {
        loadAverage()
        let chunk = 256, chunks = (count + chunk - 1) / chunk
        let stepsPerChunk = sampler.indices(for: schedule).count
        var parts: [Tensor] = []
        for c in 0..<chunks {
            let range = (c * chunk)..<min(count, (c + 1) * chunk)
            let xT = Tensor.randn([range.count] + config.imageShape, generator: rng)
            let chunkLabels = labels.map { Array($0[range]) }
            trajectory?(0, stepsPerChunk, xT)
            let x = withNoGrad {
                sampler.run(schedule: schedule, from: xT, generator: rng, every: { done, total, x in
                    trajectory?(done, total, x)
                    progress(c * stepsPerChunk + done, chunks * stepsPerChunk)
                }) { x, t in predictNoise(x, t, labels: chunkLabels, guidance: guidance) }
            }
            parts.append(x)
        }
        return Tensor.concat(parts, axis: 0)
    }

    /// The averaged network's noise estimate, guided when labels are given: the conditional and
    /// unconditional estimates come from one batch of twice the size.
    func predictNoise(_ x: Tensor, _ t: Tensor, labels: [Int]?, guidance: Float) -> Tensor {
        guard config.classes > 0 else { return averagedUNet(x, timesteps: t) }
        let n = x.shape[0]
        let none = Array(repeating: Float(config.classes), count: n)
        guard let labels else { return averagedUNet(x, timesteps: t, labels: Tensor(none)) }
        let conditional = Tensor(labels.map(Float.init))
        if guidance == 0 { return averagedUNet(x, timesteps: t, labels: conditional) }
        let both = averagedUNet(Tensor.concat([x, x], axis: 0), timesteps: Tensor.concat([t, t], axis: 0),
                                labels: Tensor.concat([conditional, Tensor(none)], axis: 0))
        return both.sliced(axis: 0, 0..<n) * (1 + guidance) - both.sliced(axis: 0, n..<(2 * n)) * guidance
    }

    /// The most steps a DDIM chain can take (T).
    public var maximumSamplingSteps: Int { schedule.steps }

    /// New samples in [0, 1]; `label` picks a class of a class-conditional model, which without
    /// one draws every class in turn, guided.
    ///
    /// - Parameters:
    ///   - count: The number of samples.
    ///   - label: The class to draw, or `nil`.
    ///   - settings: The sampler and guidance; `nil` fields keep the model's defaults.
    ///   - rng: The source of randomness.
    ///   - progress: Called after each step of the chain with (steps done, steps in all).
    public func sample(count: Int, class label: Int?, settings: SamplerSettings, generator rng: RandomGenerator,
                       progress: (Int, Int) -> Void) -> Tensor {
        precondition(label == nil || (0..<config.classes).contains(label!), "DDPM: class \(label!) outside 0..<\(config.classes)")
        // Without a class a conditional model draws every class in turn, guided, as sample(count:generator:).
        let labels = label.map { Array(repeating: $0, count: count) } ?? (config.classes > 0 ? (0..<count).map { $0 % config.classes } : nil)
        return toUnitRange(generate(count: count, labels: labels, sampler: sampler(settings), guidance: settings.guidance ?? config.guidance,
                                    generator: rng, progress: progress), from: -1...1)
    }

    /// Samples with the default sampler; a conditional model draws every class in turn, guided.
    public func sample(count: Int, generator rng: RandomGenerator) -> Tensor {
        sample(count: count, class: nil, settings: SamplerSettings(), generator: rng) { _, _ in }
    }

    public func sample(count: Int, class label: Int, generator rng: RandomGenerator) -> Tensor {
        sample(count: count, class: label, settings: SamplerSettings(), generator: rng) { _, _ in }
    }

    /// Samples (one class per row for a conditional model), and the trajectory x_T → x₀ of eight
    /// samples in eleven snapshots (fewer when the chain has under ten steps).
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let conditional = config.classes > 0
        let count = conditional ? config.classes * 10 : 64
        let labels = conditional ? (0..<count).map { $0 / 10 } : nil
        let sampler = sampler(SamplerSettings())
        let samples = generate(count: count, labels: labels, sampler: sampler, guidance: config.guidance, generator: rng) { _, _ in }
        var snapshots: [Tensor] = []
        let total = sampler.indices(for: schedule).count
        let shown = Set((0...10).map { Int((Double(total) * Double($0) / 10).rounded()) })
        _ = generate(count: 8, labels: conditional ? (0..<8).map { $0 % config.classes } : nil, sampler: sampler,
                          guidance: config.guidance, generator: rng,
                          trajectory: { done, _, x in if shown.contains(done) { snapshots.append(x) } }) { _, _ in }
        let rows = snapshots.map { toUnitRange($0, from: -1...1).reshaped([8, 1] + config.imageShape) }
        let trajectory = Tensor.concat(rows, axis: 1).reshaped([8 * rows.count] + config.imageShape)
        return [Sheet(name: "samples", images: toUnitRange(samples, from: -1...1), columns: conditional ? 10 : 8),
                Sheet(name: "trajectory", images: trajectory, columns: rows.count)]
    }
}
