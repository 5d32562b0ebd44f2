import Foundation
import MirageData
import MirageNN
import MirageTensor

/// Glow (Kingma & Dhariwal, 2018): a ``MultiScaleFlow`` of actnorm, invertible 1×1 convolution
/// and affine coupling steps, trained by exact maximum likelihood on uniformly dequantised 8-bit
/// images.
///
/// Pixels `k/255` become `x̃ = (k + u)/256 − ½` with `u ~ U(0, 1)`: the flow's continuous density
/// on `x̃` then bounds the discrete likelihood of `k` from below (Theis et al., 2016), once the
/// rescaling's `D·log 256` is counted. The loss and every reported NLL are in those discrete
/// units: nats per image, or bits per dimension, the unit of the published tables.
///
/// ```swift
/// let glow = Glow(Glow.Config())
/// let images = glow.sample(count: 16, temperature: 0.7, generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1807.03039>, <https://arxiv.org/abs/1511.01844> (dequantisation)
public final class Glow: GenerativeModel, LikelihoodModel, TemperatureSampling {
    public struct Config: Codable, Equatable, Sendable {
        public var imageShape = [1, 28, 28]
        /// Scales of the multi-scale architecture.
        public var levels = 2
        /// Flow steps per level.
        public var depth = 8
        /// Width of each coupling's network.
        public var hidden = 128
        public var learningRate: Float = 1e-3
        /// Steps over which the learning rate rises linearly from 0 (actnorm's first statistics
        /// make the earliest updates large).
        public var warmupSteps = 200
        /// Gradients are clipped to this global norm.
        public var gradientClip: Float = 50
        /// The temperature of the default sampler.
        public var temperature: Float = 1
        public var seed: UInt64 = 0
        public init() {}
    }

    public let config: Config
    public let flow: MultiScaleFlow
    let optimizer: Adam
    /// Draws the dequantisation noise.
    let noise: RandomGenerator
    /// Optimiser steps taken, for the warm-up.
    var updates = 0

    public init(_ config: Config) {
        self.config = config
        let g = RandomGenerator(seed: config.seed)
        flow = MultiScaleFlow(imageShape: config.imageShape, levels: config.levels, depth: config.depth, hidden: config.hidden, generator: g)
        optimizer = Adam(flow.trainableParameters(), learningRate: config.learningRate)
        noise = RandomGenerator(seed: config.seed &+ 1)
    }

    public var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    public var networks: [(String, Module)] { [("flow", flow)] }
    public var optimizers: [(String, Optimizer)] { [("flow", optimizer)] }
    public var generators: [(String, RandomGenerator)] { [("noise", noise)] }
    public var data: DataRequirement { DataRequirement(range: 0...1) }

    public var state: [String: Tensor] { ["updates": Tensor([Float(updates)])] }

    public func restoreState(_ state: [String: Tensor]) throws {
        guard let value = state["updates"], value.count == 1 else {
            throw ModelConfigurationError.unsuitable(kind: GlowKind.name, reason: "the checkpoint has no state.updates")
        }
        updates = Int(value.item)
    }

    /// `(k + u)/256 − ½` for images holding `k/255`, `u ~ U(0, 1)`.
    func dequantize(_ images: Tensor, generator g: RandomGenerator) -> Tensor {
        let levels = Tensor(images.scalars.map { ($0 * 255).rounded() }, shape: images.shape)
        return (levels + Tensor.rand(images.shape, generator: g)) * (1 / Float(256)) - 0.5
    }

    /// −log p per image in nats of the 8-bit data: the flow's density on `x̃` plus `D·log 256`.
    func discreteNLL(_ x: Tensor) -> Tensor {
        -flow.encode(x).logLikelihood + Float(Double(flow.dimensions) * Foundation.log(256.0))
    }

    public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let x = dequantize(input.images, generator: noise)
        let nll = discreteNLL(x).mean()
        // Bits per dimension as the loss: the same optimum, gradients of order 1.
        let loss = nll * (1 / Float(Double(flow.dimensions) * Foundation.log(2.0)))
        optimizer.zeroGrad()
        loss.backward()
        let norm = clipGradNorm(flow.trainableParameters(), maxNorm: config.gradientClip)
        updates += 1
        optimizer.learningRate = config.learningRate * min(1, Float(updates) / Float(max(1, config.warmupSteps)))
        optimizer.step()
        return ["loss": loss.item, "bits_per_dim": loss.item, "grad_norm": norm]
    }

    public func sample(count: Int, temperature: Float, generator g: RandomGenerator) -> Tensor {
        withNoGrad { toUnitRange(flow.sample(count: count, temperature: temperature, generator: g), from: -0.5...0.5) }
    }

    public func sample(count: Int, generator g: RandomGenerator) -> Tensor {
        sample(count: count, temperature: config.temperature, generator: g)
    }

    /// Samples at temperatures 0.5, 0.7, 0.85 and 1 (two rows each), and interpolations between
    /// the latents of pairs of test digits.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let temperatures: [Float] = [0.5, 0.7, 0.85, 1]
        let rows = temperatures.map { sample(count: 16, temperature: $0, generator: rng) }
        var sheets = [Sheet(name: "samples", images: Tensor.concat(rows, axis: 0), columns: 8)]
        let pairs = min(8, fixed.images.shape[0] / 2)
        if pairs > 0 {
            let steps = 10
            let images = withNoGrad { () -> Tensor in
                let latents = flow.encode(dequantize(fixed.images.sliced(axis: 0, 0..<(2 * pairs)), generator: RandomGenerator(seed: 0))).latents
                // Every level's latent moves along its own line; one decode draws all the paths.
                let path = latents.map { linearInterpolation(from: $0.sliced(axis: 0, 0..<pairs), to: $0.sliced(axis: 0, pairs..<(2 * pairs)), steps: steps) }
                return toUnitRange(flow.decode(path), from: -0.5...0.5)
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
        LikelihoodEstimate(nll: withNoGrad { discreteNLL(x) }, method: "exact, uniform dequantisation")
    }
}
