import Foundation
import MirageData
import MirageNN
import MirageTensor

/// What a ``FlowModel`` does to dequantised pixels `x̃ ∈ (0, 1)` before its flow sees them.
public enum FlowInput: Equatable, Sendable {
    /// `x̃ − ½` (Glow).
    case centered
    /// `logit(α + (1 − 2α)·x̃)` (RealNVP): the unbounded scale a Gaussian base suits; `α` keeps
    /// the logit away from ±∞ at the edges. Its log-determinant counts in the likelihood.
    case logit(alpha: Float)
}

/// The settings every flow's configuration carries (``Glow/Config``, ``RealNVP/Config``), which
/// ``FlowModel`` trains with and ``FlowTrainingOptions`` sets and checks.
public protocol FlowConfiguration: Codable {
    var imageShape: [Int] { get set }
    var learningRate: Float { get set }
    /// Steps over which the learning rate rises linearly from 0.
    var warmupSteps: Int { get set }
    /// Gradients are clipped to this global norm.
    var gradientClip: Float { get set }
    /// The temperature of the default sampler.
    var temperature: Float { get set }
    /// The decay of the moving average of the weights that sampling and likelihoods use; 0 uses
    /// the trained weights themselves.
    var emaDecay: Float { get set }
    var seed: UInt64 { get set }
}

/// A normalising flow trained by exact maximum likelihood on uniformly dequantised 8-bit images:
/// the shared model behind ``Glow`` and ``RealNVP``, which differ in their ``MultiScaleFlow`` and
/// their ``FlowInput``.
///
/// Pixels `k/255` become `x̃ = (k + u)/256` with `u ~ U(0, 1)`: the flow's continuous density
/// on `x̃` then bounds the discrete likelihood of `k` from below (Theis et al., 2016), once the
/// rescaling's `D·log 256` is counted. The loss and every reported NLL are in those discrete
/// units: nats per image, or bits per dimension, the unit of the published tables. Training is
/// Adam with a linear learning-rate warm-up and gradient clipping.
///
/// Samples, sheets and likelihoods come from an exponential moving average of the weights (the
/// Polyak averaging of Glow's published code, decay 0.999: about the last epoch of MNIST), which
/// is steadier than the last iterate; the average is part of a checkpoint's state.
///
/// - SeeAlso: <https://arxiv.org/abs/1511.01844> (dequantisation)
public class FlowModel: GenerativeModel, LikelihoodModel, Sampling, AveragedWeights {
    /// The optimiser and sampler settings every flow shares.
    public struct Training: Sendable {
        public var learningRate: Float
        /// Steps over which the learning rate rises linearly from 0.
        public var warmupSteps: Int
        /// Gradients are clipped to this global norm.
        public var gradientClip: Float
        /// The temperature of the default sampler.
        public var temperature: Float
        public var seed: UInt64
    }

    /// The flow being trained.
    public let flow: MultiScaleFlow
    /// The moving average of ``flow``'s weights and the flow it is loaded into for sampling and
    /// likelihoods; `nil` without an average.
    let average: (ema: ExponentialMovingAverage, flow: MultiScaleFlow)?
    /// Updates of the average so far, for its warm-up.
    var averageUpdates = 0
    public let input: FlowInput
    public let training: Training
    /// `[C, H, W]` of the images it models.
    public let sampleShape: [Int]
    public let configuration: Data
    /// The kind's name, for error messages.
    let kind: String
    let optimizer: Adam
    /// Draws the dequantisation noise.
    let noise: RandomGenerator
    /// Optimiser steps taken, for the warm-up.
    var updates = 0

    /// - Parameter makeFlow: Builds the flow; called a second time for the averaged copy.
    init(kind: String, config: some FlowConfiguration, input: FlowInput, makeFlow: () -> MultiScaleFlow) {
        self.kind = kind
        sampleShape = config.imageShape
        configuration = (try? JSONEncoder().encode(config)) ?? Data()
        flow = makeFlow()
        if config.emaDecay > 0 {
            let decay = config.emaDecay
            average = (ExponentialMovingAverage(of: flow, decay: decay), makeFlow())
        } else {
            average = nil
        }
        self.input = input
        training = Training(learningRate: config.learningRate, warmupSteps: config.warmupSteps, gradientClip: config.gradientClip,
                            temperature: config.temperature, seed: config.seed)
        optimizer = Adam(flow.trainableParameters(), learningRate: training.learningRate)
        noise = RandomGenerator(seed: training.seed &+ 1)
    }

    public var networks: [(String, Module)] { [("flow", flow)] }
    public var optimizers: [(String, Optimizer)] { [("flow", optimizer)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    public var data: DataRequirement { DataRequirement(range: 0...1) }

    /// The optimiser step count, and the average's weights under `ema.` with its update count.
    public var state: [String: Tensor] {
        var state = ["updates": Tensor([Float(updates)])]
        if let average {
            state.merge(average.ema.state()) { $1 }
            state["ema_updates"] = Tensor([Float(averageUpdates)])
        }
        return state
    }

    public func restoreState(_ state: [String: Tensor]) throws {
        guard let value = state["updates"], value.count == 1 else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "the checkpoint has no state.updates")
        }
        updates = Int(value.item)
        try checkInvertible(flow, "weights")
        guard let average else { return }
        guard let count = state["ema_updates"], count.count == 1 else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "the checkpoint has no state.ema_updates for its moving average")
        }
        try average.ema.restore(from: state)
        averageUpdates = Int(count.item)
        try average.ema.copy(to: average.flow)
        try checkInvertible(average.flow, "moving average of the weights")
    }

    /// Refuses restored weights that no flow could have trained to: a 1×1 convolution that is
    /// not invertible would trap when sampling inverts it.
    private func checkInvertible(_ flow: MultiScaleFlow, _ what: String) throws {
        for (name, module) in flow.namedModules() {
            if let conv = module as? InvertibleConv1x1, let reason = conv.invalidReason {
                throw ModelConfigurationError.unsuitable(kind: kind, reason: "the checkpoint's \(what) at \(name): \(reason)")
            }
        }
    }

    /// Restarts the moving average at the flow's weights (after an import), with the warm-up of
    /// a fresh run.
    public func restartAverage() {
        guard let average else { return }
        do { try average.ema.reset(to: flow) } catch { preconditionFailure("\(kind): the average does not fit its flow: \(error)") }
        averageUpdates = 0
    }

    /// The flow samples and likelihoods come from: the moving average's weights loaded into
    /// their own copy, or the trained flow without an average. Both copies are built from one
    /// configuration, so the state dicts always fit.
    func averagedFlow() -> MultiScaleFlow {
        guard let average else { return flow }
        do { try average.ema.copy(to: average.flow) } catch { preconditionFailure("\(kind): the average does not fit its flow: \(error)") }
        return average.flow
    }

    /// `(k + u)/256` for images holding `k/255`, `u ~ U(0, 1)`, `u` drawn for the global batch
    /// of which `images` are `shard`'s rows.
    func dequantize(_ images: Tensor, generator g: RandomGenerator, shard: BatchShard = .whole) -> Tensor {
        let levels = Tensor(images.scalars.map { ($0 * 255).rounded() }, shape: images.shape)
        let u = shard.draw(images.shape[0]) { Tensor.rand([$0] + images.shape.dropFirst(), generator: g) }
        return (levels + u) * (1 / Float(256))
    }

    /// The flow's input for dequantised pixels `x̃` (as ``likelihoodInput(_:generator:)`` returns
    /// them), and the log-determinant of that map per image (`nil` where it is 0).
    public func flowInput(_ x: Tensor) -> (x: Tensor, logDeterminant: Tensor?) {
        switch input {
        case .centered:
            return (x - 0.5, nil)
        case .logit(let alpha):
            let p = x * (1 - 2 * alpha) + alpha
            let logP = p.log(), logQ = (1 - p).log()
            let perPixel = Float(Foundation.log(Double(1 - 2 * alpha))) - logP - logQ
            return (logP - logQ, perPixel.reshaped([x.shape[0], -1]).sum(axis: 1))
        }
    }

    /// Pixels in [0, 1] from the flow's side of ``flowInput(_:)``.
    public func images(fromFlow x: Tensor) -> Tensor {
        switch input {
        case .centered:
            return toUnitRange(x, from: -0.5...0.5)
        case .logit(let alpha):
            return ((x.sigmoid() - alpha) * (1 / (1 - 2 * alpha))).clamped(min: 0, max: 1)
        }
    }

    /// −log p per image in nats of the 8-bit data, for dequantised pixels `x̃`: the flow's
    /// density on `x̃` plus `D·log 256`.
    func discreteNLL(_ x: Tensor, flow: MultiScaleFlow) -> Tensor {
        let (h, inputLogDet) = flowInput(x)
        var logLikelihood = flow.encode(h).logLikelihood
        if let inputLogDet { logLikelihood = logLikelihood + inputLogDet }
        return -logLikelihood + Float(Double(flow.dimensions) * Foundation.log(256.0))
    }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let x = dequantize(input.images, generator: noise, shard: context.shard)
        let nll = discreteNLL(x, flow: flow).mean()
        // Bits per dimension as the loss: the same optimum, gradients of order 1.
        let loss = nll * (1 / Float(Double(flow.dimensions) * Foundation.log(2.0)))
        updates += 1
        optimizer.learningRate = training.learningRate * min(1, Float(updates) / Float(max(1, training.warmupSteps)))
        let norm = context.updater.minimize(loss, with: optimizer, clippingNorm: training.gradientClip)!
        if let average {
            averageUpdates += 1
            average.ema.update(from: flow, decay: average.ema.warmedUpDecay(update: averageUpdates))
        }
        return ["loss": loss.item, "bits_per_dim": loss.item, "grad_norm": norm]
    }

    /// New samples in [0, 1] with the latents' spread scaled by `temperature` (1: the model).
    public func sample(count: Int, temperature: Float, generator g: RandomGenerator) -> Tensor {
        let flow = averagedFlow()
        return withNoGrad { images(fromFlow: flow.sample(count: count, temperature: temperature, generator: g)) }
    }

    public func sample(count: Int, generator g: RandomGenerator) -> Tensor {
        sample(count: count, temperature: training.temperature, generator: g)
    }

    /// Samples at temperatures 0.5, 0.7, 0.85 and 1 (two rows each), and interpolations between
    /// the latents of pairs of test digits.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let temperatures: [Float] = [0.5, 0.7, 0.85, 1]
        let rows = temperatures.map { sample(count: 16, temperature: $0, generator: rng) }
        var sheets = [Sheet(name: "samples", images: Tensor.concat(rows, axis: 0), columns: 8)]
        let pairs = min(8, fixed.images.shape[0] / 2)
        if pairs > 0 {
            let steps = 10, flow = averagedFlow()
            let images = withNoGrad { () -> Tensor in
                let x = dequantize(fixed.images.sliced(axis: 0, 0..<(2 * pairs)), generator: RandomGenerator(seed: 0))
                let latents = flow.encode(flowInput(x).x).latents
                // Every level's latent moves along its own line; one decode draws all the paths.
                let path = latents.map { linearInterpolation(from: $0.sliced(axis: 0, 0..<pairs), to: $0.sliced(axis: 0, pairs..<(2 * pairs)), steps: steps) }
                return self.images(fromFlow: flow.decode(path))
            }
            sheets.append(Sheet(name: "interpolations", images: images, columns: steps))
        }
        return sheets
    }

    // MARK: Likelihood

    public var likelihoodUnavailableReason: String? { nil }

    public func likelihoodInput(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        dequantize(images, generator: generator)
    }

    public func negativeLogLikelihood(_ x: Tensor, samples: Int, generator: RandomGenerator) -> LikelihoodEstimate {
        let flow = averagedFlow()
        return LikelihoodEstimate(nll: withNoGrad { discreteNLL(x, flow: flow) }, method: "exact, uniform dequantisation")
    }
}
