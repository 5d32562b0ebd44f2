import Foundation
import MirageModels
import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct StyleGANTests {
    /// A narrow StyleGAN for fast checks.
    static func small(pathLength: Float = 2, averageHalfLife: Int = 10_000) -> StyleGAN {
        var config = StyleGAN.Config()
        (config.latent, config.mappingLayers, config.channels, config.pathLength) = (32, 2, 32, pathLength)
        config.averageHalfLife = averageHalfLife
        return StyleGAN(config)
    }

    @Test func shapesAndNames() {
        let model = Self.small()
        #expect(model.config.side == 32 && model.synthesis.wCount == 8 && model.synthesis.coarseRows == 0..<4)
        #expect(SynthesisNetwork.channels(side: 32, base: 128) == [128, 128, 64, 32])
        #expect(model.sample(count: 3, generator: RandomGenerator(seed: 0)).shape == [3, 1, 28, 28])
        let s = model.sample(count: 2, psi: 0.5, noise: .zero, generator: RandomGenerator(seed: 0))
        #expect(s.shape == [2, 1, 28, 28] && s.scalars.allSatisfy { (0...1).contains($0) })
        #expect(model.discriminator(Tensor.randn([4, 1, 32, 32])).shape == [4])
        let names = model.networks.map(\.0)
        #expect(names == ["mapping", "synthesis", "mapping_ema", "synthesis_ema", "discriminator"])
        #expect(model.mapping.namedBuffers().map(\.0) == ["w_average"])
        let sheets = model.sheets(fixed: StepInput(images: Tensor.zeros([4, 1, 28, 28])), noise: RandomGenerator(seed: 1))
        #expect(sheets.map(\.name) == ["samples", "samples-psi0.7", "mixing", "noise"])
        #expect(sheets[2].images.shape == [6 * 7, 1, 28, 28] && sheets[2].columns == 7)
    }

    /// Demodulation gives every output channel weights of unit norm per sample, so unit-variance
    /// inputs give unit-variance outputs: the direct computation (styles, scaled weights, the
    /// norm) against the layer's weights, then the variance of a real output.
    @Test func demodulationNormalisesEachOutputChannel() {
        let g = RandomGenerator(seed: 2)
        let conv = ModulatedConv2d(16, 8, kernelSize: 3, wDimension: 12, generator: g)
        let w = Tensor.randn([3, 12], generator: g)
        let styles = conv.affine(w)
        let weights = conv.sampleWeights(styles: styles)   // (3, 8, 16, 3, 3)
        let raw = conv.weight.scalars, s = styles.scalars
        for n in 0..<3 {
            for o in 0..<8 {
                var norm = 0.0
                for i in 0..<16 { for k in 0..<9 { let v = Double(raw[(o * 16 + i) * 9 + k]) / 12 * Double(s[n * 16 + i]); norm += v * v } }
                for i in 0..<16 {
                    for k in 0..<9 {
                        let expected = Double(raw[(o * 16 + i) * 9 + k]) / 12 * Double(s[n * 16 + i]) / (norm + 1e-8).squareRoot()
                        let got = Double(weights.scalars[(((n * 8 + o) * 16 + i) * 9) + k])
                        #expect(Swift.abs(got - expected) < 1e-5)
                    }
                }
            }
        }
        let y = conv(Tensor.randn([3, 16, 32, 32], generator: g), w: w)
        let variance = (y * y).mean().item
        #expect(Swift.abs(variance - 1) < 0.1, "output variance \(variance)")
    }

    /// The batch runs as one grouped convolution (evaluation) or as an ordinary convolution of
    /// style-scaled activations (training); each sample alone, with its own weights, gives the
    /// same output either way (with and without upsampling, with and without demodulation).
    @Test(arguments: [(false, true), (true, true), (false, false)])
    func bothBatchFormsAreThePerSampleLoop(_ upsample: Bool, _ demodulate: Bool) {
        let g = RandomGenerator(seed: 3)
        let conv = ModulatedConv2d(4, 5, kernelSize: 3, wDimension: 6, demodulate: demodulate, upsample: upsample, generator: g)
        let x = Tensor.randn([3, 4, 6, 6], generator: g), w = Tensor.randn([3, 6], generator: g)
        conv.eval()
        let grouped = conv(x, w: w)
        conv.train()
        let modulated = conv(x, w: w)
        let weights = conv.sampleWeights(styles: conv.affine(w))
        for n in 0..<3 {
            var input = x.sliced(axis: 0, n..<(n + 1))
            if upsample { input = upsampleNearest2d(input, scale: (2, 2)) }
            let one = conv2d(input, weights.sliced(axis: 0, n..<(n + 1)).reshaped([5, 4, 3, 3]), padding: (1, 1))
            expectClose(grouped.sliced(axis: 0, n..<(n + 1)), one.scalars, atol: 1e-5)
            expectClose(modulated.sliced(axis: 0, n..<(n + 1)), one.scalars, atol: 1e-5)
        }
        GradCheck.check([x, w]) { conv.grouped($0[0], styles: conv.affine($0[1])) }
        GradCheck.check([x, w]) { conv.modulatingActivations($0[0], styles: conv.affine($0[1])) }
    }

    /// The equalised learning rate: the stored weight is scaled by multiplier/√fan-in at run
    /// time, the bias by the multiplier, so a gradient step on the stored weight moves the
    /// effective weight by that scale times the step.
    @Test func equalisedLearningRateScales() {
        let g = RandomGenerator(seed: 4)
        let layer = EqualizedLinear(16, 3, biasInit: 0.5, multiplier: 0.01, generator: g)
        let x = Tensor.randn([2, 16], generator: g)
        let expected = x.matmul(transposed: layer.weight * (0.01 / 4)) + layer.bias! * 0.01
        expectClose(layer(x), expected.scalars, atol: 1e-6)
        #expect(Swift.abs(layer.bias!.scalars[0] * 0.01 - 0.5) < 1e-6, "the bias starts at 0.5")
        let stored = layer.weight.scalars.map { Double($0).magnitude }.reduce(0, +) / 48
        #expect(stored > 40 && stored < 120, "stored weights are N(0, 1/0.01²) draws: mean |w| \(stored)")
        GradCheck.check([x]) { layer($0[0]) }
    }

    /// The minibatch standard deviation against a direct computation, groups of 4 (and of 3 for
    /// a batch of 6, the largest size up to 4 that divides it).
    @Test func minibatchStandardDeviation() {
        #expect(MinibatchStandardDeviation.groupSize(8) == 4 && MinibatchStandardDeviation.groupSize(6) == 3
                && MinibatchStandardDeviation.groupSize(5) == 1)
        let x = Tensor.randn([8, 2, 3, 3], generator: RandomGenerator(seed: 5))
        let y = MinibatchStandardDeviation.apply(x)
        #expect(y.shape == [8, 3, 3, 3])
        let v = x.scalars
        for j in 0..<2 {   // group j holds samples j, j + 2, j + 4, j + 6
            var total = 0.0
            for f in 0..<18 {
                let values = (0..<4).map { Double(v[(($0 * 2) + j) * 18 + f]) }
                let mean = values.reduce(0, +) / 4
                total += (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 4 + 1e-8).squareRoot()
            }
            for member in [j, j + 2, j + 4, j + 6] {
                #expect(Swift.abs(Double(y.scalars[member * 27 + 18]) - total / 18) < 1e-5)
            }
        }
        GradCheck.check([x]) { MinibatchStandardDeviation.apply($0[0]) }
    }

    /// Style mixing keeps the first rows' w and takes the rest from the second.
    @Test func styleMixingCrossover() {
        let model = Self.small()
        let a = model.styles(Tensor.randn([2, 32], generator: RandomGenerator(seed: 6)))
        let b = model.styles(Tensor.randn([2, 32], generator: RandomGenerator(seed: 7)))
        let ws = a.unsqueezed(axis: 1).expanded(to: [2, 8, 32])
        let mixed = StyleGAN.mixed(ws, b, from: 3)
        for row in 0..<8 {
            let expected = row < 3 ? a : b
            #expect(mixed.sliced(axis: 1, row..<(row + 1)).reshaped([2, 32]).scalars == expected.scalars)
        }
        // Coarse mixing gives the other latent's rows 0..<4.
        let s = Tensor.randn([1, 32], generator: RandomGenerator(seed: 8)), t = Tensor.randn([1, 32], generator: RandomGenerator(seed: 9))
        let coarse = model.mixed(source: s, other: t, rows: .coarse, generator: RandomGenerator(seed: 0))
        let fine = model.mixed(source: t, other: s, rows: .fine, generator: RandomGenerator(seed: 0))
        expectClose(coarse, fine.scalars, atol: 1e-6)
    }

    /// A brief run on real digits: the generator's mean image moves at least halfway to the
    /// digits' mean image and its samples differ from each other (the GAN tests' criteria), with
    /// R1 and the path-length penalty taken along the way. Samples come from the moving average,
    /// here with a half-life of 320 images (10 steps) so that it follows a run this short.
    @Test func briefTrainingMovesSamplesTowardsTheData() {
        let model = Self.small(averageHalfLife: 320)
        let images = MNISTSubset.trainImages(1024, range: -1...1)
        let dataMean = MNISTSubset.trainImages(1024).mean(axis: 0)
        func distance() -> Float { (model.sample(count: 128, generator: RandomGenerator(seed: 7)).mean(axis: 0) - dataMean).norm().item }
        let before = distance()
        var seen: Set<String> = []
        for step in 0..<120 {
            let context = StepContext(step: step, epoch: 0, stepsPerEpoch: 120, totalSteps: 120)
            let losses = model.trainStep(StepInput(images: MNISTSubset.batch(images, step: step, size: 32)), context: context)
            #expect(losses.values.allSatisfy { $0.isFinite })
            seen.formUnion(losses.keys)
        }
        #expect(seen == ["loss_d", "loss_g", "d_real", "d_fake", "r1", "path_length"])
        let after = distance()
        #expect(after < 0.5 * before, "distance of mean images \(before) → \(after)")
        func spread(_ x: Tensor) -> Float { (x - x.mean(axis: 0, keepDims: true)).pow(2).mean(axis: 0).sqrt().mean().item }
        let samples = spread(model.sample(count: 128, generator: RandomGenerator(seed: 8)))
        #expect(samples > 0.2 * spread(MNISTSubset.trainImages(128)), "spread across samples \(samples)")
    }

    /// Images a side that cannot be padded evenly to 4·2ᵏ are refused, naming the side.
    @Test func unsuitableImagesAreRefused() {
        var config = StyleGAN.Config()
        config.imageShape = [1, 29, 29]
        #expect { _ = try StyleGANKind.make(config) } throws: { "\($0)".contains("29") && "\($0)".contains("32") }
        config.imageShape = [1, 28, 20]
        #expect { _ = try StyleGANKind.make(config) } throws: { "\($0)".contains("square") }
    }
}

/// StyleGAN's two regularisers against PyTorch (`scripts/make_torch_stylegan_fixtures.py`: the
/// peer's networks at 1×16×16, base 16, w of 8): R1 and its gradient with respect to every
/// discriminator parameter, and the path-length penalty and its gradient with respect to every
/// mapping and synthesis parameter, both second-order derivatives (a gradient of a gradient
/// through modulated, demodulated grouped convolutions, upsampling and the minibatch standard
/// deviation).
@Suite struct StyleGANFixtureTests {
    static let fixture = Fixtures.load("torch_stylegan")

    static func expectMatches(_ grads: [Tensor], _ named: [(String, Tensor)], prefix: String) {
        for ((name, _), grad) in zip(named, grads) {
            let expected = fixture.tensors["\(prefix).\(name)"]!
            let scale = Swift.max(1e-3, expected.abs().max().item)
            let error = (grad - expected).abs().max().item
            #expect(error <= 2e-4 * scale, "\(prefix).\(name): off by \(error) (largest \(scale))")
        }
    }

    @Test func r1AndItsGradientsMatchPyTorch() throws {
        let f = Self.fixture.tensors
        let d = StyleDiscriminator(side: 16, imageChannels: 1, base: 16, generator: RandomGenerator(seed: 0))
        try d.loadStateDict(Self.fixture.tensors(under: "discriminator"))
        let x = f["x"]!.requiringGrad()
        let g = gradients(of: d(x).sum(), wrt: [x], createGraph: true)[0]
        let r1 = (g * g).sum(axes: [1, 2, 3]).mean()
        #expect(Swift.abs(r1.item - f["r1"]!.item) <= 1e-4 * f["r1"]!.item, "R1 \(r1.item) against \(f["r1"]!.item)")
        let named = d.namedParameters()
        Self.expectMatches(gradients(of: r1, wrt: named.map(\.1)), named, prefix: "grad_r1.discriminator")
    }

    @Test func pathLengthPenaltyAndItsGradientsMatchPyTorch() throws {
        let f = Self.fixture.tensors
        let g0 = RandomGenerator(seed: 0)
        let mapping = MappingNetwork(dimension: 8, layers: 2, generator: g0)
        let synthesis = SynthesisNetwork(side: 16, imageChannels: 1, base: 16, wDimension: 8, generator: g0)
        try mapping.loadStateDict(Self.fixture.tensors(under: "mapping"))
        try synthesis.loadStateDict(Self.fixture.tensors(under: "synthesis"))
        mapping.eval()
        let w = mapping(f["z"]!)
        let ws = w.unsqueezed(axis: 1).expanded(to: [4, synthesis.wCount, 8])
        let images = synthesis(ws, noise: .zero)
        let g = gradients(of: (images * f["y"]!).sum(), wrt: [ws], createGraph: true)[0]
        let lengths = ((g * g).sum(axes: [2]).mean(axes: [1]) + 1e-8).sqrt()
        let penalty = ((lengths - 0.5) * (lengths - 0.5)).mean()
        let expected = f["path_length_penalty"]!.item
        #expect(Swift.abs(penalty.item - expected) <= 1e-4 * expected, "penalty \(penalty.item) against \(expected)")
        let named = mapping.namedParameters().map { ("mapping.\($0.0)", $0.1) } + synthesis.namedParameters().map { ("synthesis.\($0.0)", $0.1) }
        Self.expectMatches(gradients(of: penalty, wrt: named.map(\.1)), named, prefix: "grad_pl")
    }
}
