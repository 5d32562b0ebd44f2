import MirageData
import MirageNN
import MirageTensor

/// A model whose generator maps Gaussian noise to images in [-1, 1] (the GANs), or to 2-D
/// points: sampling, generating from given noise, and the sheets (samples, interpolations between
/// noise vectors; for points a scatter plot) come from here.
public protocol NoiseToImageModel: Sampling {
    /// The generator network.
    var generator: any Layer { get }
    /// The size of a noise vector.
    var noiseSize: Int { get }
    /// Whether the generator makes 2-D points (returned as they are) rather than images in
    /// [-1, 1] (mapped to [0, 1]).
    var generatesPoints: Bool { get }
}

extension NoiseToImageModel {
    public var generatesPoints: Bool { false }

    /// Images from noise, `[count, C, H, W]` in [0, 1], or points `[count, 2]`, with the
    /// generator in evaluation mode.
    public func sample(count: Int, generator rng: RandomGenerator) -> Tensor {
        generate(Tensor.randn([count, noiseSize], generator: rng))
    }

    /// The generator's images for given noise vectors, in [0, 1] (or its points).
    public func generate(_ z: Tensor) -> Tensor {
        generateImages(generator, count: z.shape[0], range: generatesPoints ? nil : -1...1) { z.sliced(axis: 0, $0) }
    }

    /// The noise size, for models that also conform to ``LatentDecoding``.
    public var latentSize: Int { noiseSize }

    /// ``generate(_:)``, for models that also conform to ``LatentDecoding``.
    public func decode(latents z: Tensor) -> Tensor { generate(z) }

    /// The noise sheets (``noiseSheets(noise:)``), or for points ``pointSheets(fixed:noise:)``.
    public func sheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        generatesPoints ? pointSheets(fixed: fixed, noise: rng) : noiseSheets(noise: rng)
    }

    /// A scatter plot of 2,500 generated points (blue) over as many real ones (gray), the
    /// papers' picture of mode collapse: a collapsed generator covers only some gray clusters.
    /// The view is fixed by the real points (1.5 times their extent), so the plots of successive
    /// epochs line up.
    public func pointSheets(fixed: StepInput, noise rng: RandomGenerator) -> [Sheet] {
        let real = fixed.images
        let extent = 1.5 * Swift.max(real.abs().max().item, 1e-3)
        let plot = ScatterPlot.render(sample(count: 2500, generator: rng), reference: real, size: 512, bounds: -extent...extent)
        let pixels = Tensor(plot.planar.map { Float($0) / 255 }, shape: [1, plot.channels, plot.height, plot.width])
        return [Sheet(name: "samples", images: pixels, columns: 1)]
    }

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

/// A generator's images for `count` samples, mapped from `range` (nil: left as they are) to
/// [0, 1]: in evaluation mode, without a graph, and `chunk` (1,024) at a time so that large
/// sample counts keep memory bounded. `input(range)` makes the generator's input for those
/// samples, drawing any noise in order.
func generateImages(_ generator: any Layer, count: Int, chunk: Int = 1024, range: ClosedRange<Float>? = -1...1,
                    input: (Range<Int>) -> Tensor) -> Tensor {
    let wasTraining = generator.isTraining
    generator.eval()
    defer { generator.train(wasTraining) }
    var parts: [Tensor] = []
    var start = 0
    while start < count {
        let end = min(count, start + chunk)
        parts.append(withNoGrad {
            let y = generator(input(start..<end))
            return range.map { toUnitRange(y, from: $0) } ?? y
        })
        start = end
    }
    return Tensor.concat(parts, axis: 0)
}
