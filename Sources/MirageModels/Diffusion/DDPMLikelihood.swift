import Foundation
import MirageTensor

/// The DDPM's variational bound on −log p(x₀) of 8-bit images (Ho et al., 2020, eq. 5):
/// `L_T + Σ_{t=2}^{T} L_{t−1} + L₀`, where L_T = KL(q(x_T | x₀) ‖ N(0, I)), each L_{t−1} =
/// KL(q(x_{t−1} | x_t, x₀) ‖ p_θ(x_{t−1} | x_t)) between Gaussians, and L₀ = −log p_θ(x₀ | x₁)
/// under the paper's discrete decoder: a Gaussian integrated over each pixel's bin of width 2/255
/// in [−1, 1], the outer bins reaching to ±∞. The reverse process is the one the ancestral
/// sampler draws from: mean from the clipped x̂₀, variance β̃_t (β̃₂ at t = 1, where β̃₁ = 0).
/// The pixels need no dequantisation: the decoder's probabilities are of the discrete values.
///
/// The T − 1 middle terms cost a network evaluation each; with fewer `samples` than terms, that
/// many timesteps are drawn per image, stratified (one uniform draw in each of `samples` equal
/// strata of 2 … T), and their mean times T − 1 is an unbiased estimate of the sum.
extension DDPM: LikelihoodModel {
    public var likelihoodUnavailableReason: String? { nil }

    /// Images in [0, 1] holding 8-bit values, mapped to [−1, 1] as in training.
    public func likelihoodInput(_ images: Tensor, generator: RandomGenerator) -> Tensor { images * 2 - 1 }

    /// The variational bound on −log p(x₀) per image, in nats.
    ///
    /// - Parameters:
    ///   - x0: Images in [−1, 1], as ``likelihoodInput(_:generator:)`` prepared them.
    ///   - samples: Middle terms drawn per image; all T − 1 of them, exactly, when `samples` ≥ T − 1.
    ///   - g: Draws the noised images x_t and the stratified timesteps.
    public func negativeLogLikelihood(_ x0: Tensor, samples: Int, generator g: RandomGenerator) -> LikelihoodEstimate {
        loadAverage()
        let b = x0.shape[0], T = schedule.steps
        return withNoGrad {
            // L_T: the last marginal against the standard normal prior.
            let last = schedule.scales(T - 1)
            var total = gaussianKL(x0 * last.signal, variance: last.noise * last.noise, Tensor.zeros(x0.shape), variance: 1)

            // L₀: the discrete decoder at index 0.
            let decoderMean = reverseMean(x0, indices: Array(repeating: 0, count: b), generator: g).mean
            total = total + Self.decoderNLL(x0, mean: decoderMean, std: schedule.posteriorVariance(1).squareRoot())

            // The middle terms, at indices 1 ..< T, all of them or a stratified draw.
            let terms = T - 1
            let exact = samples >= terms
            let draws = exact ? terms : max(1, samples)
            var middle = Tensor.zeros([b])
            for k in 0..<draws {
                let indices: [Int]
                if exact {
                    indices = Array(repeating: k + 1, count: b)
                } else {
                    indices = (0..<b).map { _ in
                        1 + min(terms - 1, Int((Double(k) + Double(g.nextUniform())) * Double(terms) / Double(draws)))
                    }
                }
                middle = middle + middleTerm(x0, indices: indices, generator: g)
            }
            total = total + (exact ? middle : middle * (Float(terms) / Float(draws)))
            let method = exact ? "variational bound, all \(terms + 2) terms" : "variational bound, \(draws) of \(terms) middle terms drawn"
            return LikelihoodEstimate(nll: total, method: method)
        }
    }

    /// KL(q(x_{t−1} | x_t, x₀) ‖ p_θ(x_{t−1} | x_t)) per image at each image's own index ≥ 1; the
    /// two share the variance β̃_t, so it is ‖μ̃ − μ_θ‖² / (2β̃_t).
    func middleTerm(_ x0: Tensor, indices: [Int], generator g: RandomGenerator) -> Tensor {
        let (mean, xt) = reverseMean(x0, indices: indices, generator: g)
        let trueMean = schedule.posteriorMean(start: x0, xt, at: indices)
        let variance = schedule.perImage(indices.map { schedule.posteriorVariance($0) }, like: x0)
        let squared = (trueMean - mean) * (trueMean - mean) / (variance * 2)
        return squared.reshaped([x0.shape[0], -1]).sum(axes: [1])
    }

    /// x_t drawn from q(x_t | x₀) at each image's index, and the mean of p_θ(x_{t−1} | x_t) the
    /// ancestral sampler uses: the posterior mean at the clipped x̂₀ (unguided; a conditional
    /// model is scored without its class).
    func reverseMean(_ x0: Tensor, indices: [Int], generator g: RandomGenerator) -> (mean: Tensor, xt: Tensor) {
        let xt = schedule.noised(x0, at: indices, noise: Tensor.randn(x0.shape, generator: g))
        let epsilon = predictNoise(xt, Tensor(indices.map(Float.init)), labels: nil, guidance: 0)
        return (schedule.posteriorMean(start: schedule.predictedStart(from: xt, noise: epsilon, at: indices), xt, at: indices), xt)
    }
}

/// KL(N(μ₁, v₁) ‖ N(μ₂, v₂)) summed over all but the first axis, in nats.
func gaussianKL(_ mean1: Tensor, variance v1: Float, _ mean2: Tensor, variance v2: Float) -> Tensor {
    let d = mean1 - mean2
    let perElement = (d * d + v1) / (2 * v2) + Float(0.5 * Foundation.log(Double(v2 / v1)) - 0.5)
    return perElement.reshaped([mean1.shape[0], -1]).sum(axes: [1])
}

extension DDPM {
    /// −log of the probability that N(mean, std²) gives each pixel's bin of width 2/255 in
    /// [−1, 1] (the bins of −1 and 1 extended to ±∞), summed per image, in nats: the bound's L₀.
    public static func decoderNLL(_ x: Tensor, mean: Tensor, std: Float) -> Tensor {
        let b = x.shape[0]
        let xs = x.scalars, ms = mean.scalars
        let perImage = xs.count / b
        var result = [Float](repeating: 0, count: b)
        let halfBin = 1.0 / 255
        for i in 0..<b {
            var sum = 0.0
            for j in (i * perImage)..<((i + 1) * perImage) {
                // The pixel's bin centre, exact in Double (the Float input is off by rounding).
                let v = (((Double(xs[j]) + 1) * 127.5).rounded()) / 127.5 - 1
                let m = Double(ms[j]), s = Double(std)
                // Φ(z) = erfc(−z/√2)/2, accurate in both tails.
                let upper = v > 1 - 1e-3 ? 1 : 0.5 * erfc(-(v + halfBin - m) / (s * 2.0.squareRoot()))
                let lower = v < -1 + 1e-3 ? 0 : 0.5 * erfc(-(v - halfBin - m) / (s * 2.0.squareRoot()))
                sum -= Foundation.log(max(upper - lower, 1e-12))
            }
            result[i] = Float(sum)
        }
        return Tensor(result)
    }
}
