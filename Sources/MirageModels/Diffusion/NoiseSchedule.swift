import Foundation
import MirageNN
import MirageTensor

/// DDPM's forward process (Ho et al., 2020): a variance schedule β₁ … β_T and the products
/// ᾱ_t = Π_{s ≤ t} (1 − β_s), so that `x_t = √ᾱ_t·x₀ + √(1 − ᾱ_t)·ε` in one draw.
///
/// Arrays are indexed by `i = t − 1`, the timestep the network is told: index 0 is the first,
/// least noisy step.
///
/// ```swift
/// let schedule = NoiseSchedule.linear()                   // β from 1e-4 to 0.02 over 1000 steps
/// let xt = schedule.noised(x0, at: [999, 10], noise: eps) // q(x_t | x₀)
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/2006.11239>, <https://arxiv.org/abs/2102.09672> (cosine)
public struct NoiseSchedule: Sendable {
    /// The schedules `mirage train ddpm --schedule` offers.
    public enum Kind: String, Codable, Sendable, CaseIterable {
        /// β rising linearly from 1e-4 to 0.02 (DDPM).
        case linear
        /// ᾱ following a squared cosine (Nichol & Dhariwal, 2021), which destroys information
        /// more slowly at the start and the end.
        case cosine
    }

    /// β_t for t = 1 … T (index t − 1).
    public let betas: [Float]
    /// ᾱ_t for t = 1 … T (index t − 1), accumulated in Double.
    public let alphaBars: [Float]
    /// ᾱ_t in Double: 1 − ᾱ_t near t = 1 is about β₁ = 1e-4, which Float would keep to only
    /// three or four digits.
    let exactAlphaBars: [Double]

    /// A schedule from given β values, each in (0, 1).
    public init(betas: [Float]) {
        precondition(!betas.isEmpty && betas.allSatisfy { $0 > 0 && $0 < 1 }, "NoiseSchedule: every β must lie in (0, 1)")
        self.betas = betas
        var running = 1.0
        exactAlphaBars = betas.map { beta in
            running *= 1 - Double(beta)
            return running
        }
        alphaBars = exactAlphaBars.map(Float.init)
    }

    /// The schedule of `kind` over `steps` steps.
    public init(_ kind: Kind, steps: Int = 1000) {
        switch kind {
        case .linear: self = .linear(steps: steps)
        case .cosine: self = .cosine(steps: steps)
        }
    }

    /// β rising linearly from `start` to `end` over `steps` steps (DDPM's schedule).
    public static func linear(steps: Int = 1000, start: Double = 1e-4, end: Double = 0.02) -> NoiseSchedule {
        precondition(steps > 1, "NoiseSchedule.linear: need at least 2 steps, got \(steps)")
        return NoiseSchedule(betas: (0..<steps).map { Float(start + (end - start) * Double($0) / Double(steps - 1)) })
    }

    /// ᾱ(t) = f(t)/f(0) with f(t) = cos²(((t/T) + s)/(1 + s)·π/2), s = 0.008, and β_t =
    /// 1 − ᾱ_t/ᾱ_{t−1} capped at 0.999 so that the last steps stay finite.
    public static func cosine(steps: Int = 1000, offset s: Double = 0.008) -> NoiseSchedule {
        precondition(steps > 1, "NoiseSchedule.cosine: need at least 2 steps, got \(steps)")
        func f(_ t: Int) -> Double {
            let c = Foundation.cos((Double(t) / Double(steps) + s) / (1 + s) * Double.pi / 2)
            return c * c
        }
        return NoiseSchedule(betas: (1...steps).map { Float(min(1 - f($0) / f($0 - 1), 0.999)) })
    }

    /// T, the number of steps.
    public var steps: Int { betas.count }

    /// ᾱ at index `i`, with ᾱ = 1 before the first step (`i = −1`).
    public func alphaBar(_ i: Int) -> Float { i < 0 ? 1 : alphaBars[i] }

    /// ᾱ at index `i` in Double (1 before the first step).
    func exactAlphaBar(_ i: Int) -> Double { i < 0 ? 1 : exactAlphaBars[i] }

    /// √ᾱ and √(1 − ᾱ) at index `i` (1 and 0 before the first step): the scales of x₀ and of the
    /// noise in x_t.
    public func scales(_ i: Int) -> (signal: Float, noise: Float) {
        let a = exactAlphaBar(i)
        return (Float(a.squareRoot()), Float((1 - a).squareRoot()))
    }

    /// The variance of q(x_{t−1} | x_t, x₀), β̃_t = β_t·(1 − ᾱ_{t−1})/(1 − ᾱ_t), at index `i`.
    public func posteriorVariance(_ i: Int) -> Float {
        Float(Double(betas[i]) * (1 - exactAlphaBar(i - 1)) / (1 - exactAlphaBars[i]))
    }

    /// The coefficients (of x₀, of x_t) of the mean of q(x_{t−1} | x_t, x₀) at index `i`; at the
    /// first step they are exactly (1, 0).
    public func posteriorMeanCoefficients(_ i: Int) -> (x0: Float, xt: Float) {
        let previous = exactAlphaBar(i - 1), beta = Double(betas[i]), complement = 1 - exactAlphaBars[i]
        return (Float(previous.squareRoot() * beta / complement), Float((1 - beta).squareRoot() * (1 - previous) / complement))
    }

    /// A draw from q(x_t | x₀): `√ᾱ_t·x₀ + √(1 − ᾱ_t)·noise`, each image at its own index.
    public func noised(_ x0: Tensor, at indices: [Int], noise: Tensor) -> Tensor {
        precondition(indices.count == x0.shape[0] && noise.shape == x0.shape,
                     "NoiseSchedule.noised: \(indices.count) timesteps and noise \(noise.shape) for images \(x0.shape)")
        return perImage(indices.map { scales($0).signal }, like: x0) * x0 + perImage(indices.map { scales($0).noise }, like: x0) * noise
    }

    /// x̂₀ = (x_t − √(1 − ᾱ_t)·ε̂)/√ᾱ_t from a noise estimate, clipped to the data's range [−1, 1],
    /// each image at its own index.
    public func predictedStart(from xt: Tensor, noise epsilon: Tensor, at indices: [Int]) -> Tensor {
        ((xt - epsilon * perImage(indices.map { scales($0).noise }, like: xt))
            / perImage(indices.map { scales($0).signal }, like: xt)).clamped(min: -1, max: 1)
    }

    /// The mean of q(x_{t−1} | x_t, x₀), each image at its own index.
    public func posteriorMean(start x0: Tensor, _ xt: Tensor, at indices: [Int]) -> Tensor {
        let c = indices.map { posteriorMeanCoefficients($0) }
        return x0 * perImage(c.map(\.x0), like: x0) + xt * perImage(c.map(\.xt), like: x0)
    }

    /// One value per image, `[B, 1, …]`, to broadcast over images of `x`'s shape.
    func perImage(_ values: [Float], like x: Tensor) -> Tensor {
        Tensor(values, shape: [values.count] + Array(repeating: 1, count: x.rank - 1))
    }

    /// DDPM's simplified loss: noise x₀ to a uniformly drawn t and regress the noise,
    /// `E‖ε − ε_θ(x_t, t)‖²` (mean over every element).
    public func noisePredictionLoss(_ model: TimeUNet, _ x0: Tensor, generator g: RandomGenerator) -> Tensor {
        let t = (0..<x0.shape[0]).map { _ in g.nextIndex(below: steps) }
        let noise = Tensor.randn(x0.shape, generator: g)
        return mseLoss(model(noised(x0, at: t, noise: noise), timesteps: Tensor(t.map(Float.init))), noise)
    }
}
