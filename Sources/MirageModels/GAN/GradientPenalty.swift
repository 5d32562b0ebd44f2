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
        precondition(real.shape == fake.shape, "GradientPenalty: real \(real.shape) and fake \(fake.shape) differ")
        let epsilon = Tensor.rand([real.shape[0]] + Array(repeating: 1, count: real.rank - 1), generator: generator)
        let mixed = (epsilon * real + (1 - epsilon) * fake).requiringGrad()
        let grad = gradients(of: critic(mixed).sum(), wrt: [mixed], createGraph: true)[0]
        return (grad.flattened(startAxis: 1).norm(axis: 1) - 1).pow(2).mean()
    }
}

/// One WGAN-GP update as the benchmark times it: a critic step on `E[D(fake)] − E[D(real)] +
/// λ·penalty`, then a generator step on `−E[D(G(z))]`, with the benchmark's DCGAN generator and
/// a critic without batch norm, Adam 1e-4 (0, 0.9). The GAN-family issue builds the WGAN-GP
/// model (several critic steps per generator step, sheets, options) on this step.
public final class WGANGPStep {
    public let generator: DCGANGenerator
    public let critic: DCGANDiscriminator
    let optimizerG: Adam
    let optimizerD: Adam
    /// λ, the weight of the penalty.
    public let penaltyWeight: Float
    let noise: Int

    public init(noise: Int = 100, penaltyWeight: Float = 10, learningRate: Float = 1e-4, generator g: RandomGenerator) {
        self.noise = noise
        self.penaltyWeight = penaltyWeight
        generator = DCGANGenerator(noise: noise, generator: g)
        critic = DCGANDiscriminator(batchNorm: false, generator: g)
        optimizerG = Adam(generator.trainableParameters(), learningRate: learningRate, betas: (0, 0.9))
        optimizerD = Adam(critic.trainableParameters(), learningRate: learningRate, betas: (0, 0.9))
    }

    /// One critic and one generator update on `real` (`[B, 1, 28, 28]` in [-1, 1]).
    ///
    /// - Returns: The critic's loss, the penalty and the generator's loss.
    @discardableResult
    public func callAsFunction(real: Tensor, generator g: RandomGenerator) -> (critic: Tensor, penalty: Tensor, generator: Tensor) {
        let b = real.shape[0]
        let fake = withNoGrad { generator(Tensor.randn([b, noise], generator: g)) }
        let penalty = GradientPenalty.penalty(critic: critic, real: real, fake: fake, generator: g)
        let lossD = critic(fake).mean() - critic(real).mean() + penalty * penaltyWeight
        optimizerD.zeroGrad(); lossD.backward(); optimizerD.step()
        let lossG = -critic(generator(Tensor.randn([b, noise], generator: g))).mean()
        optimizerG.zeroGrad(); lossG.backward(); optimizerG.step()
        return (lossD, penalty, lossG)
    }
}
