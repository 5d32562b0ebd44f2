import Foundation
import MirageNN
import MirageTensor

/// DDPM's forward process (Ho et al., 2020): a variance schedule β₁ … β_T and the products
/// ᾱ_t = Π_{s ≤ t} (1 − β_s), so that `x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε` in one draw.
///
/// ```swift
/// let schedule = NoiseSchedule.linear()                   // β from 1e-4 to 0.02 over 1000 steps
/// let loss = schedule.noisePredictionLoss(unet, x0, generator: g)
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/2006.11239>
public struct NoiseSchedule: Sendable {
    /// β_t for t = 0 ..< T.
    public let betas: [Float]
    /// ᾱ_t for t = 0 ..< T, accumulated in Double.
    public let alphaBars: [Float]

    /// A schedule from given β values, each in (0, 1).
    public init(betas: [Float]) {
        precondition(!betas.isEmpty && betas.allSatisfy { $0 > 0 && $0 < 1 }, "NoiseSchedule: every β must lie in (0, 1)")
        self.betas = betas
        var running = 1.0
        alphaBars = betas.map { beta in
            running *= 1 - Double(beta)
            return Float(running)
        }
    }

    /// β rising linearly from `start` to `end` over `steps` steps (DDPM's schedule).
    public static func linear(steps: Int = 1000, start: Double = 1e-4, end: Double = 0.02) -> NoiseSchedule {
        precondition(steps > 1, "NoiseSchedule.linear: need at least 2 steps, got \(steps)")
        return NoiseSchedule(betas: (0..<steps).map { Float(start + (end - start) * Double($0) / Double(steps - 1)) })
    }

    /// T, the number of steps.
    public var steps: Int { betas.count }

    /// DDPM's simplified loss: noise x₀ to a uniformly drawn t and regress the noise,
    /// `E‖ε − ε_θ(x_t, t)‖²` (mean over every element).
    public func noisePredictionLoss(_ model: TimeUNet, _ x0: Tensor, generator g: RandomGenerator) -> Tensor {
        let b = x0.shape[0]
        let t = (0..<b).map { _ in g.nextIndex(below: steps) }
        let noise = Tensor.randn(x0.shape, generator: g)
        let shape = [b] + Array(repeating: 1, count: x0.rank - 1)
        let signal = Tensor(t.map { alphaBars[$0].squareRoot() }, shape: shape)
        let spread = Tensor(t.map { (1 - alphaBars[$0]).squareRoot() }, shape: shape)
        return mseLoss(model(signal * x0 + spread * noise, timesteps: Tensor(t.map(Float.init))), noise)
    }
}
