import MirageNN
import MirageTensor

/// WGAN-GP's gradient penalty (Gulrajani et al., 2017): `λ·E[(‖∇D(x̂)‖₂ − 1)²]` on random
/// interpolates `x̂ = ε·real + (1 − ε)·fake`, ε ~ U(0, 1) per sample.
///
/// The norm is taken per sample over all of its channels and pixels (a per-pixel norm, a known
/// bug of a popular GAN zoo, penalises something else). The gradient is recorded with
/// `createGraph: true`, so the penalty's own gradient reaches the critic's parameters.
///
/// ```swift
/// let lossD = critic(fake).mean() - critic(real).mean()
///     + GradientPenalty.penalty(critic: critic, real: real, fake: fake, generator: g) * 10
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1704.00028>
public enum GradientPenalty {
    /// `E[(‖∇D(x̂)‖₂ − 1)²]` over the batch, differentiable with respect to the critic.
    ///
    /// - Parameters:
    ///   - critic: The critic D.
    ///   - real: Real samples `[B, …]`.
    ///   - fake: Generated samples of the same shape (detached from the generator).
    ///   - generator: Draws the interpolation weights ε.
    public static func penalty(critic: some Layer, real: Tensor, fake: Tensor, generator: RandomGenerator) -> Tensor {
        let epsilon = Tensor.rand([real.shape[0]] + Array(repeating: 1, count: real.rank - 1), generator: generator)
        return penalty(critic: critic, real: real, fake: fake, epsilon: epsilon)
    }

    /// The penalty at the interpolates with given weights ε `[B, 1, …]` (one per sample).
    public static func penalty(critic: some Layer, real: Tensor, fake: Tensor, epsilon: Tensor) -> Tensor {
        precondition(real.shape == fake.shape, "GradientPenalty: real \(real.shape) and fake \(fake.shape) differ")
        precondition(epsilon.shape == [real.shape[0]] + Array(repeating: 1, count: real.rank - 1),
                     "GradientPenalty: ε \(epsilon.shape) is not one weight per sample of \(real.shape)")
        let mixed = (epsilon * real + (1 - epsilon) * fake).requiringGrad()
        let grad = gradients(of: critic(mixed).sum(), wrt: [mixed], createGraph: true)[0]
        return (grad.flattened(startAxis: 1).norm(axis: 1) - 1).pow(2).mean()
    }
}
