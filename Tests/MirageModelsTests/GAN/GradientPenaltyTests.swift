import Foundation
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct GradientPenaltyTests {
    /// `scripts/make_torch_gan_fixtures.py`: a small critic, real and fake batches, ε, and
    /// PyTorch's penalty and parameter gradients through `autograd.grad(create_graph=True)`.
    static let fixture: Checkpoint = Fixtures.load("torch_gradient_penalty")

    static func critic() throws -> DCGANDiscriminator {
        let critic = DCGANDiscriminator(width: 4, batchNorm: false, generator: RandomGenerator(seed: 0))
        try critic.loadStateDict(fixture.tensors(under: "param"))
        return critic
    }

    static func expectMatches(_ grads: [Tensor], _ critic: DCGANDiscriminator, prefix: String) {
        for ((name, _), grad) in zip(critic.namedParameters(), grads) {
            let expected = fixture.tensors["\(prefix).\(name)"]!
            let scale = max(1e-3, expected.abs().max().item)
            let error = (grad - expected).abs().max().item
            #expect(error <= 1e-4 * scale, "\(prefix).\(name): off by \(error) (largest \(scale))")
        }
    }

    /// The penalty and its gradient with respect to every critic parameter (a second-order
    /// derivative) match PyTorch's.
    @Test func penaltyAndItsParameterGradientsMatchPyTorch() throws {
        let f = Self.fixture.tensors
        let critic = try Self.critic()
        let (real, fake, epsilon) = (f["real"]!, f["fake"]!, f["epsilon"]!)
        let penalty = GradientPenalty.penalty(critic: critic, real: real, fake: fake, epsilon: epsilon)
        #expect(Swift.abs(penalty.item - f["penalty"]!.item) <= 1e-5 * max(1, f["penalty"]!.item))
        let parameters = critic.namedParameters().map(\.1)
        Self.expectMatches(gradients(of: penalty, wrt: parameters), critic, prefix: "grad_penalty")

        // The whole critic loss of a WGAN-GP step, λ = 10.
        let loss = critic(fake).mean() - critic(real).mean()
            + GradientPenalty.penalty(critic: critic, real: real, fake: fake, epsilon: epsilon) * 10
        #expect(Swift.abs(loss.item - f["loss"]!.item) <= 1e-5 * max(1, Swift.abs(f["loss"]!.item)))
        Self.expectMatches(gradients(of: loss, wrt: parameters), critic, prefix: "grad_loss")
    }

    /// The norm is per sample over all pixels and channels: scaling one sample's gradient field
    /// changes only that sample's term. A per-pixel norm (the known bug) would give another value.
    @Test func theNormIsPerSampleOverAllPixels() throws {
        let critic = try Self.critic()
        let f = Self.fixture.tensors
        let (real, fake, epsilon) = (f["real"]!, f["fake"]!, f["epsilon"]!)
        let mixed = (epsilon * real + (1 - epsilon) * fake).requiringGrad()
        let grad = gradients(of: critic(mixed).sum(), wrt: [mixed])[0]
        let perSample = grad.reshaped([3, 784]).pow(2).sum(axes: [1]).sqrt()
        let expected = (perSample - 1).pow(2).mean().item
        let penalty = GradientPenalty.penalty(critic: critic, real: real, fake: fake, epsilon: epsilon).item
        #expect(Swift.abs(penalty - expected) <= 1e-6)
        let perPixel = (grad.abs() - 1).pow(2).mean().item
        #expect(Swift.abs(penalty - perPixel) > 0.1)
    }
}
