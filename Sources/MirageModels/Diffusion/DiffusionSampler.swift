import MirageTensor

/// How a diffusion model turns noise into images: ancestral DDPM sampling through all T steps,
/// or DDIM (Song et al., 2021) through a subsequence of them.
///
/// Both predict x̂₀ from the network's noise estimate at each step, clip it to the data's range
/// [−1, 1], and take the noise estimate implied by the clipped x̂₀; DDPM then draws from the
/// posterior q(x_{t−1} | x_t, x̂₀), DDIM moves to the next timestep of its subsequence with
/// `x_s = √ᾱ_s·x̂₀ + √(1 − ᾱ_s − σ²)·ε̂ + σ·z`, σ = η·√((1 − ᾱ_s)/(1 − ᾱ_t))·√(1 − ᾱ_t/ᾱ_s).
/// With η = 1 and all T steps DDIM takes exactly DDPM's steps; with η = 0 it is deterministic.
///
/// ```swift
/// let images = DiffusionSampler.ddim(steps: 50, eta: 0).run(schedule: schedule, from: noise, generator: g) { x, t in
///     unet(x, timesteps: t)
/// }
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/2010.02502>
public enum DiffusionSampler: Equatable, Sendable {
    /// Ancestral sampling through every step, with the posterior variance β̃_t.
    case ddpm
    /// DDIM through `steps` timesteps evenly spread over 1 … T (both ends included).
    case ddim(steps: Int, eta: Float)

    /// The timestep indices visited, from the noisiest down.
    public func indices(for schedule: NoiseSchedule) -> [Int] {
        switch self {
        case .ddpm:
            return Array((0..<schedule.steps).reversed())
        case .ddim(let steps, _):
            precondition(steps >= 1 && steps <= schedule.steps, "DiffusionSampler: \(steps) DDIM steps for a \(schedule.steps)-step schedule")
            if steps == 1 { return [schedule.steps - 1] }
            let last = Double(schedule.steps - 1)
            return (0..<steps).map { Int((last * Double(steps - 1 - $0) / Double(steps - 1)).rounded()) }
        }
    }

    /// Runs the chain from `noise` (x_T) to x₀, images in [−1, 1].
    ///
    /// - Parameters:
    ///   - schedule: The forward process the network was trained on.
    ///   - noise: x_T, `[B, C, H, W]` standard normal.
    ///   - generator: Draws the noise of stochastic steps.
    ///   - every: Called after each step with the step number (1-based), the number of steps and
    ///     the current x_t, for progress and trajectories.
    ///   - predictNoise: The network's ε̂(x_t, t), with t as one float per image.
    public func run(schedule: NoiseSchedule, from noise: Tensor, generator: RandomGenerator,
                    every: (Int, Int, Tensor) -> Void = { _, _, _ in },
                    predictNoise: (Tensor, Tensor) -> Tensor) -> Tensor {
        let path = indices(for: schedule)
        let b = noise.shape[0]
        var x = noise
        for (k, i) in path.enumerated() {
            let next = k + 1 < path.count ? path[k + 1] : -1
            let at = Array(repeating: i, count: b)
            let x0 = schedule.predictedStart(from: x, noise: predictNoise(x, Tensor(at.map(Float.init))), at: at)
            switch self {
            case .ddpm:
                x = schedule.posteriorMean(start: x0, x, at: at)
                if i > 0 { x = x + Tensor.randn(x.shape, generator: generator) * schedule.posteriorVariance(i).squareRoot() }
            case .ddim(_, let eta):
                // The noise the clipped x̂₀ implies.
                let scale = schedule.scales(i)
                let impliedNoise = (x - x0 * scale.signal) / scale.noise
                let abar = schedule.exactAlphaBar(i), target = schedule.exactAlphaBar(next)
                let sigma = Double(eta) * ((1 - target) / (1 - abar)).squareRoot() * max(0, 1 - abar / target).squareRoot()
                x = x0 * Float(target.squareRoot()) + impliedNoise * Float(max(0, 1 - target - sigma * sigma).squareRoot())
                if sigma > 0 { x = x + Tensor.randn(x.shape, generator: generator) * Float(sigma) }
            }
            every(k + 1, path.count, x)
        }
        return x
    }
}
