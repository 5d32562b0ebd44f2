import MirageNN
import MirageTensor

/// A model whose generator maps Gaussian noise to images in [-1, 1] (the GANs): sampling,
/// generating from given noise, and the sheets (samples, interpolations between noise vectors)
/// come from here.
public protocol NoiseToImageModel: Sampling {
    /// The generator network.
    var generator: any Layer { get }
    /// The size of a noise vector.
    var noiseSize: Int { get }
}

extension NoiseToImageModel {
    /// Images from noise, `[count, C, H, W]` in [0, 1], with the generator in evaluation mode.
    public func sample(count: Int, generator rng: RandomGenerator) -> Tensor {
        generate(Tensor.randn([count, noiseSize], generator: rng))
    }

    /// The generator's images for given noise vectors, in [0, 1].
    public func generate(_ z: Tensor) -> Tensor {
        generateImages(generator, count: z.shape[0]) { z.sliced(axis: 0, $0) }
    }

    /// The noise sheets: ``noiseSheets(noise:)``.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] { noiseSheets(noise: rng) }

    /// 64 samples, and straight lines between pairs of noise vectors: a smooth generator morphs
    /// one digit into another.
    public func noiseSheets(noise rng: RandomGenerator) -> [Sheet] {
        let samples = Sheet(name: "samples", images: sample(count: 64, generator: rng), columns: 8)
        let rows = 8, steps = 10
        let a = Tensor.randn([rows, noiseSize], generator: rng), b = Tensor.randn([rows, noiseSize], generator: rng)
        let z = linearInterpolation(from: a, to: b, steps: steps)
        return [samples, Sheet(name: "interpolations", images: generate(z), columns: steps)]
    }
}

/// A generator's images for `count` samples, mapped from [-1, 1] to [0, 1]: in evaluation mode,
/// without a graph, and `chunk` (1,024) at a time so that large sample counts keep memory bounded.
/// `input(range)` makes the generator's input for those samples, drawing any noise in order.
func generateImages(_ generator: any Layer, count: Int, chunk: Int = 1024, input: (Range<Int>) -> Tensor) -> Tensor {
    let wasTraining = generator.isTraining
    generator.eval()
    defer { generator.train(wasTraining) }
    var parts: [Tensor] = []
    var start = 0
    while start < count {
        let end = min(count, start + chunk)
        parts.append(withNoGrad { toUnitRange(generator(input(start..<end)), from: -1...1) })
        start = end
    }
    return Tensor.concat(parts, axis: 0)
}
