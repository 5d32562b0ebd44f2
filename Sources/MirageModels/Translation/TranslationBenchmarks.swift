import MirageData
import MirageTensor

extension Pix2PixKind {
    /// `pix2pix` at 28×28 (batch 64) and `pix2pix_256` at the papers' setting (batch 1, 3×256×256),
    /// with the configuration `mirage train pix2pix` derives for such data, on a fixed random pair batch.
    public static var benchmarks: [ModelBenchmark] {
        func step(_ shape: [Int], _ n: Int) -> @Sendable (UInt64) throws -> () -> Float {
            { seed in
                let g = RandomGenerator(seed: seed)
                let x = ModelBenchmark.batch(g)
                let data = DataDescription(sampleShape: shape, channelsB: shape[0], classCount: 0)
                let model = try make(configuration(Options.parse([]), seed: seed, data: data))
                let pair = shape == [1, 28, 28] ? Tensor.concat([x, Tensor.rand([n, 1, 28, 28], low: -1, high: 1, generator: g)], axis: 1)
                    : Tensor.rand([n, 2 * shape[0]] + shape.dropFirst(), low: -1, high: 1, generator: g)
                let input = StepInput(batches: [Batch(images: pair, labels: Tensor.zeros([n]), indices: Array(0..<n))],
                                      pairChannels: (shape[0], shape[0]))
                return ModelBenchmark.trainingStep(model, input, loss: "loss_d")
            }
        }
        return [ModelBenchmark("pix2pix", "mirage train pix2pix's step on 1×28×28 pairs: U-Net G (4 levels), PatchGAN D (2 layers), GAN + 100·L1",
                               make: step([1, 28, 28], ModelBenchmark.batchSize)),
                ModelBenchmark("pix2pix_256", "pix2pix's step at the reference setting: batch 1, 3×256×256, U-Net G (8 levels), PatchGAN D (3 layers)",
                               repetitions: .fewer, make: step([3, 256, 256], 1))]
    }
}

extension CycleGANKind {
    /// `cyclegan` (mnist ↔ mnist-colored's shapes, batch 64) and `cyclegan_256` (batch 1, 3×256×256
    /// both ways), with `mirage train cyclegan`'s configuration for such data.
    public static var benchmarks: [ModelBenchmark] {
        func step(_ shapeA: [Int], channelsB: Int, _ n: Int) -> @Sendable (UInt64) throws -> () -> Float {
            { seed in
                let g = RandomGenerator(seed: seed)
                let x = ModelBenchmark.batch(g)
                let data = DataDescription(sampleShape: shapeA, channelsB: channelsB, classCount: 0)
                let model = try make(configuration(Options.parse([]), seed: seed, data: data))
                let a = shapeA == [1, 28, 28] ? x : Tensor.rand([n] + shapeA, low: -1, high: 1, generator: g)
                let b = Tensor.rand([n, channelsB] + shapeA.dropFirst(), low: -1, high: 1, generator: g)
                func batch(_ images: Tensor) -> Batch { Batch(images: images, labels: Tensor.zeros([n]), indices: Array(0..<n)) }
                return ModelBenchmark.trainingStep(model, StepInput(batches: [batch(a)], batchesB: [batch(b)]), loss: "loss_d_a")
            }
        }
        return [ModelBenchmark("cyclegan", "mirage train cyclegan's step, 1×28×28 ↔ 3×28×28: two U-Net G, two PatchGAN D, cycle loss, pools",
                               make: step([1, 28, 28], channelsB: 3, ModelBenchmark.batchSize)),
                ModelBenchmark("cyclegan_256", "CycleGAN's step at the reference setting: batch 1, 3×256×256 both ways, ResNet G (9 blocks), identity loss",
                               repetitions: .fewer, make: step([3, 256, 256], channelsB: 3, 1))]
    }
}
