import MirageData
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct WGANTests {
    static func config(_ constraint: WGAN.Constraint, _ architecture: GAN.Architecture, criticSteps: Int = 5) -> WGAN.Config {
        var c = WGAN.Config(constraint: constraint)
        c.architecture = architecture
        c.criticSteps = criticSteps
        return c
    }

    static func input(_ batches: Int, size: Int = 16, offset: Int = 0) -> StepInput {
        let images = MNISTSubset.trainImages(offset + batches * size, range: -1...1)
        return StepInput(batches: (0..<batches).map { b in
            let start = offset + b * size
            return Batch(images: images.sliced(axis: 0, start..<(start + size)), labels: Tensor.zeros([size]), indices: Array(start..<(start + size)))
        })
    }

    @Test(arguments: [GAN.Architecture.mlp, .dcgan])
    func shapesAndWhatAStepConsumes(_ architecture: GAN.Architecture) throws {
        let wgan = WGAN(Self.config(.weightClipping(bound: 0.01), architecture))
        #expect(wgan.sample(count: 3, generator: RandomGenerator(seed: 0)).shape == [3, 1, 28, 28])
        #expect(wgan.critic(Tensor.zeros([2, 1, 28, 28])).shape == [2, 1])
        #expect(wgan.data.batchesPerStep == 5 && wgan.data.range == -1...1)
        #expect(try WGANGPKind.makeDefault().data.batchesPerStep == 5)
        // The penalised critic has no batch norm (its per-image gradient would depend on the batch).
        let gp = WGAN(Self.config(.gradientPenalty(weight: 10), .dcgan))
        #expect(!gp.critic.namedParameters().contains { $0.0.hasPrefix("bn") })
    }

    /// A configured penalty must change the critic's update (an implementation that accepted the
    /// option and never applied it is a known bug elsewhere), and is logged.
    @Test func thePenaltyChangesTheCriticUpdate() {
        let with = WGAN(Self.config(.gradientPenalty(weight: 10), .mlp, criticSteps: 1))
        let without = WGAN(Self.config(.gradientPenalty(weight: 0), .mlp, criticSteps: 1))
        let before = with.critic.parameters().map(\.scalars)
        #expect(before == without.critic.parameters().map(\.scalars), "same seed, same initial critic")
        let losses = with.trainStep(Self.input(1), context: MNISTSubset.context)
        _ = without.trainStep(Self.input(1), context: MNISTSubset.context)
        #expect((losses["penalty"] ?? 0) > 0 && losses.values.allSatisfy { $0.isFinite })
        let a = with.critic.parameters().map(\.scalars), b = without.critic.parameters().map(\.scalars)
        #expect(a != b, "λ = 10 and λ = 0 gave the same critic update")
        #expect(a != before)
    }

    /// Weight clipping holds every critic weight in [−c, c] after each critic update, and binds:
    /// DCGAN's initial weights (std 0.02) reach past c = 0.01.
    @Test func clippingBoundsEveryCriticWeight() {
        let wgan = WGAN(Self.config(.weightClipping(bound: 0.01), .dcgan, criticSteps: 2))
        #expect(wgan.critic.trainableParameters().contains { $0.scalars.contains { Swift.abs($0) > 0.01 } })
        let losses = wgan.trainStep(Self.input(2), context: MNISTSubset.context)
        #expect(losses.values.allSatisfy { $0.isFinite })
        for p in wgan.critic.trainableParameters() { #expect(p.scalars.allSatisfy { Swift.abs($0) <= 0.01 }) }
        #expect(wgan.critic.trainableParameters().contains { $0.scalars.contains { $0 == 0.01 || $0 == -0.01 } })
    }

    /// Brief WGAN-GP training on real digits: the critic tells real from generated (a positive
    /// Wasserstein estimate) and the generator's mean image moves at least a third of the way
    /// towards the data's.
    @Test func trainingMovesSamplesTowardsTheData() {
        let wgan = WGAN(Self.config(.gradientPenalty(weight: 10), .mlp, criticSteps: 5))
        let dataMean = MNISTSubset.trainImages(2048).mean(axis: 0)
        func distance() -> Float { (wgan.sample(count: 256, generator: RandomGenerator(seed: 7)).mean(axis: 0) - dataMean).norm().item }
        let before = distance()
        let images = MNISTSubset.trainImages(2048, range: -1...1)
        var last: [String: Float] = [:]
        for step in 0..<60 {
            let batches = (0..<5).map { b -> Batch in
                let x = MNISTSubset.batch(images, step: step * 5 + b, size: 32)
                return Batch(images: x, labels: Tensor.zeros([32]), indices: Array(0..<32))
            }
            last = wgan.trainStep(StepInput(batches: batches), context: MNISTSubset.context)
        }
        let after = distance()
        #expect(last.values.allSatisfy { $0.isFinite })
        #expect((last["w_distance"] ?? 0) > 0, "w_distance \(last["w_distance"] ?? .nan)")
        #expect(after < 0.67 * before, "distance of mean images \(before) → \(after)")
    }
}
