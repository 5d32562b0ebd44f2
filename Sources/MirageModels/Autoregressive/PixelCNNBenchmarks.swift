import MirageData
import MirageTensor

extension PixelCNNKind {
    /// `pixelcnn` (`mirage train pixelcnn`'s step on a fixed binary batch) and `pixelcnn_sample_64`
    /// (64 images drawn pixel by pixel).
    public static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("pixelcnn", "mirage train pixelcnn's step: 7×7 mask A, 6 residual blocks (3×3 mask B, h = 32), Bernoulli NLL") { seed in
            let input = StepInput(images: ModelBenchmark.batch(RandomGenerator(seed: seed)) .> 0)
            return ModelBenchmark.trainingStep(try makeDefault(seed: seed), input, loss: "nll")
        },
         ModelBenchmark("pixelcnn_sample_64", "64 binary images drawn pixel by pixel (784 passes) through pixelcnn's network, no gradients",
                        repetitions: .fewer) { seed in
            let g = RandomGenerator(seed: seed)
            _ = ModelBenchmark.batch(g)
            let model = try makeDefault(seed: seed)
            model.setTraining(false)
            return { model.sample(count: ModelBenchmark.batchSize, generator: g).mean().item }
        }]
    }
}
