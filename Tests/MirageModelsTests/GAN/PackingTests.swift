import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct PackingTests {
    /// Pack i holds sample i of each batch, one after another along axis 1, for points and images.
    @Test func packsHoldOneSampleOfEachBatch() {
        let a = Tensor([1, 2, 3, 4, 5, 6], shape: [3, 2]), b = Tensor([7, 8, 9, 10, 11, 12], shape: [3, 2])
        let p = Packing.pack([a, b])
        #expect(p.shape == [3, 4])
        #expect(p.scalars == [1, 2, 7, 8, 3, 4, 9, 10, 5, 6, 11, 12])
        // 2·3 samples in one tensor pack the same way as its two halves.
        #expect(Packing.pack(Tensor.concat([a, b], axis: 0), into: 2).scalars == p.scalars)
        let images = Tensor.randn([4, 3, 2, 2], generator: RandomGenerator(seed: 1))
        let packed = Packing.pack(images, into: 2)
        #expect(packed.shape == [2, 6, 2, 2])
        // Channels 3..<6 of pack 1 are sample 3's (the second batch's second image).
        #expect(packed.sliced(axis: 0, 1..<2).sliced(axis: 1, 3..<6).scalars == images.sliced(axis: 0, 3..<4).scalars)
        #expect(Packing.pack(images, into: 1).scalars == images.scalars)
        #expect(Packing.packedShape([3, 28, 28], 4) == [12, 28, 28] && Packing.packedShape([2], 3) == [6])
    }

    /// A packed discriminator takes m samples' worth of input; a step consumes m batches (and
    /// m per critic update for a WGAN) and draws m times as many generated samples.
    @Test func packedModelsTakeMBatchesAStep() {
        var c = GAN.Config(architecture: .dcgan)
        c.imageShape = [3, 28, 28]
        c.pack = 2
        let dcgan = GAN(c)
        #expect(dcgan.discriminator(Tensor.zeros([2, 6, 28, 28])).shape == [2, 1])
        #expect(dcgan.data.batchesPerStep == 2 && dcgan.data.shape == .images)
        var p = GAN.Config(architecture: .points)
        p.pack = 3
        let pointGAN = GAN(p)
        #expect(pointGAN.discriminator(Tensor.zeros([5, 6])).shape == [5, 1])
        #expect(pointGAN.data.shape == .points && pointGAN.data.batchesPerStep == 3)
        let batches = (0..<3).map { points(GaussianMixture2D.ring8().sample(count: 10, generator: RandomGenerator(seed: UInt64($0)))) }
        let losses = pointGAN.trainStep(StepInput(batches: batches), context: MNISTSubset.context)
        #expect(losses.values.allSatisfy { $0.isFinite })
        var w = WGAN.Config(constraint: .gradientPenalty(weight: 10))
        (w.architecture, w.imageShape, w.noise, w.pack, w.criticSteps) = (.points, [2], 2, 2, 3)
        let wgan = WGAN(w)
        #expect(wgan.data.batchesPerStep == 6)
        let six = (0..<6).map { points(GaussianMixture2D.grid25().sample(count: 8, generator: RandomGenerator(seed: UInt64($0)))) }
        #expect(wgan.trainStep(StepInput(batches: six), context: MNISTSubset.context).values.allSatisfy { $0.isFinite })
        var k = ConditionalGAN.Config()
        k.pack = 2
        let cgan = ConditionalGAN(k)
        // Each packed sample brings its image and its 10 label maps.
        #expect(cgan.discriminator(Tensor.zeros([2, 2 * (1 + 10), 28, 28])).shape == [2, 1])
        #expect(cgan.data.batchesPerStep == 2 && cgan.data.needsLabels)
        let labelled = (0..<2).map { b in
            Batch(images: Tensor.rand([4, 1, 28, 28], generator: RandomGenerator(seed: UInt64(b))) * 2 - 1,
                  labels: Tensor((0..<4).map { Float((b * 4 + $0) % 10) }), indices: Array(0..<4))
        }
        #expect(cgan.trainStep(StepInput(batches: labelled), context: MNISTSubset.context).values.allSatisfy { $0.isFinite })
    }

    func points(_ x: Tensor) -> Batch { Batch(images: x, labels: Tensor.zeros([x.shape[0]]), indices: Array(0..<x.shape[0])) }

    /// A configuration stored before packing existed (version 0) still loads, with pack 1; the
    /// current form requires the field.
    @Test func configurationsWithoutPackDecode() throws {
        let json = Data(#"{"architecture":"mlp","imageShape":[1,28,28],"noise":100,"learningRate":0.0002,"beta1":0.5,"beta2":0.999,"seed":3}"#.utf8)
        let c = try GANKind.make(json: json, version: 0).config
        #expect(c.pack == 1 && c.seed == 3)
        #expect(throws: ModelConfigurationError.self) { try GANKind.make(json: json) }
        let conditional = Data(#"{"imageShape":[1,28,28],"classes":10,"noise":100,"learningRate":0.0002,"beta1":0.5,"beta2":0.999,"seed":4}"#.utf8)
        let k = try ConditionalGANKind.make(json: conditional, version: 0).config
        #expect(k.pack == 1 && k.seed == 4)
        let critic = Data(#"{"architecture":"dcgan","constraint":{"gradientPenalty":{"weight":10}},"criticSteps":5,"imageShape":[1,28,28],"noise":100,"learningRate":0.0001,"beta1":0,"beta2":0.9,"seed":5}"#.utf8)
        #expect(try WGANGPKind.make(json: critic, version: 0).config.pack == 1)
    }
}

@Suite struct PointNetworkTests {
    @Test func shapesAndNames() {
        let g = RandomGenerator(seed: 0)
        let generator = PointGenerator(generator: g), discriminator = PointDiscriminator(pack: 3, generator: g)
        #expect(generator(Tensor.randn([5, 2], generator: g)).shape == [5, 2])
        #expect(discriminator(Tensor.zeros([4, 6])).shape == [4, 1])
        #expect(generator.parameterCount == 2 * 400 + 3 * 400 * 400 + 4 * 2 * 400 + 400 * 2 + 2)
        #expect(discriminator.namedParameters().map(\.0).prefix(2) == ["main.0.linear.weight", "main.0.linear.bias"])
        #expect(discriminator.parameterCount == (6 + 1) * 1000 + 2 * (200 + 1) * 1000 + 201)
    }

    /// A brief GAN run on the ring of 8: the generator starts as a blob near the origin, a unit
    /// away from the data, and within 800 steps (lr 1e-3) its sliced Wasserstein distance to
    /// the ring falls by more than half.
    @Test func briefTrainingMovesTheSamplesOntoTheRing() {
        var c = GAN.Config(architecture: .points)
        (c.learningRate, c.beta1) = (1e-3, 0.5)
        let gan = GAN(c)
        let ring = GaussianMixture2D.ring8()
        let real = ring.sample(count: 2000, generator: RandomGenerator(seed: 9))
        func distance() -> Double {
            WassersteinDistance.sliced(gan.sample(count: 2000, generator: RandomGenerator(seed: 7)), real, projections: 50,
                                       generator: RandomGenerator(seed: 3))
        }
        let before = distance()
        for step in 0..<800 {
            let batch = ring.sample(count: 100, generator: RandomGenerator.derived(seed: 1, UInt64(step)))
            _ = gan.trainStep(StepInput(images: batch), context: MNISTSubset.context)
        }
        let after = distance()
        print("sliced W₁ to the ring", before, "→", after)
        #expect(after < 0.5 * before, "sliced W₁ \(before) → \(after)")
    }
}
