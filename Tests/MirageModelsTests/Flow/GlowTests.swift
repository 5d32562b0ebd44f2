import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct GlowTests {
    static func small(depth: Int = 2, hidden: Int = 16, imageShape: [Int] = [1, 28, 28], warmupSteps: Int = 200) -> Glow {
        var config = Glow.Config()
        config.warmupSteps = warmupSteps
        config.imageShape = imageShape
        config.depth = depth
        config.hidden = hidden
        return Glow(config)
    }

    /// Every parameter moved off its start (zero-started layers included), so every path matters.
    static func perturb(_ module: Module, seed: UInt64) {
        let g = RandomGenerator(seed: seed)
        for p in module.parameters() { p.assign(p + Tensor.randn(p.shape, generator: g) * 0.05) }
    }

    /// `scripts/make_torch_flow_fixtures.py`: the peer's MultiScaleFlow with every weight drawn.
    static let fixture: Checkpoint = Fixtures.load("torch_glow")

    /// The flow is PyTorch's, name for name: the same state dict gives the same log-likelihood
    /// and the same gradient for every parameter.
    @Test func matchesPyTorch() throws {
        let f = Self.fixture.tensors
        let flow = MultiScaleFlow(imageShape: [1, 8, 8], levels: 2, depth: 2, hidden: 8, generator: RandomGenerator(seed: 0))
        try flow.loadStateDict(Self.fixture.tensors(under: "param"))
        let logLikelihood = flow.encode(f["images"]!).logLikelihood
        #expect((logLikelihood - f["log_likelihood"]!).abs().max().item < 1e-3, "\(logLikelihood.scalars) vs \(f["log_likelihood"]!.scalars)")
        Self.expectGradientsMatch(of: logLikelihood, in: flow, fixture: f, floor: 1e-4)
    }

    /// Every parameter of `flow` has a `grad.NAME` in the fixture, and the gradient of
    /// `Σ logLikelihood` matches it to `floor`, or to 1e-4 of its largest entry.
    static func expectGradientsMatch(of logLikelihood: Tensor, in flow: Module, fixture f: [String: Tensor], floor: Float) {
        let parameters = flow.namedParameters()
        #expect(parameters.count == f.keys.filter { $0.hasPrefix("grad.") }.count)
        let grads = gradients(of: logLikelihood.sum(), wrt: parameters.map(\.1))
        for ((name, _), got) in zip(parameters, grads) {
            let want = f["grad.\(name)"]!
            let tolerance = max(floor, 1e-4 * want.abs().max().item)
            #expect((got - want).abs().max().item <= tolerance, "\(name): off by \((got - want).abs().max().item)")
        }
    }

    @Test func shapesLatentsAndSheets() {
        let glow = Self.small()
        let x = glow.flowInput(glow.likelihoodInput(MNISTSubset.testImages(4), generator: RandomGenerator(seed: 0))).x
        let (latents, logLikelihood) = withNoGrad { glow.flow.encode(x) }
        #expect(latents.map(\.shape) == [[4, 2, 14, 14], [4, 8, 7, 7]])
        #expect(logLikelihood.shape == [4])
        let samples = glow.sample(count: 3, temperature: 0.7, generator: RandomGenerator(seed: 1))
        #expect(samples.shape == [3, 1, 28, 28] && samples.min().item >= 0 && samples.max().item <= 1)
        let sheets = glow.sheets(fixed: StepInput(images: MNISTSubset.testImages(16)), noise: RandomGenerator(seed: 2))
        #expect(sheets.map(\.name) == ["samples", "interpolations"])
        #expect(sheets[0].images.shape == [64, 1, 28, 28] && sheets[1].images.shape == [80, 1, 28, 28])
    }

    /// x → z → x for the whole flow, every parameter off its start.
    @Test func theWholeFlowInverts() {
        let glow = Self.small()
        let x = glow.flowInput(glow.likelihoodInput(MNISTSubset.testImages(6), generator: RandomGenerator(seed: 3))).x
        _ = withNoGrad { glow.flow.encode(x) }  // actnorm's initialisation
        Self.perturb(glow.flow, seed: 4)
        let back = withNoGrad { glow.flow.decode(glow.flow.encode(x).latents) }
        #expect((back - x).abs().max().item < 1e-4, "off by \((back - x).abs().max().item)")
    }

    /// The flow's log-likelihood is the change of variables done by brute force: with the priors
    /// at their start (standard normals), log p(x) = Σ log N(z; 0, 1) + log |det ∂z/∂x|, the
    /// determinant of the full 16×16 Jacobian of a 1×4×4 image's latents, two levels deep.
    @Test func logLikelihoodIsTheChangeOfVariables() throws {
        let glow = Self.small(depth: 2, hidden: 8, imageShape: [1, 4, 4])
        let x0 = Tensor.rand([1, 1, 4, 4], low: -0.5, high: 0.5, generator: RandomGenerator(seed: 5))
        _ = withNoGrad { glow.flow.encode(Tensor.rand([8, 1, 4, 4], low: -0.5, high: 0.5, generator: RandomGenerator(seed: 6))) }
        for level in glow.flow.levels { Self.perturb(level, seed: 7) }
        let x = x0.requiringGrad()
        let (latents, logLikelihood) = glow.flow.encode(x)
        let z = Tensor.concat(latents.map { $0.reshaped([1, $0.count]) }, axis: 1).reshaped([16])
        var jacobian = Matrix(zeros: 16, 16)
        for i in 0..<16 {
            let row = gradients(of: z.sliced(axis: 0, i..<(i + 1)).sum(), wrt: [x])[0].scalars
            for j in 0..<16 { jacobian[i, j] = Double(row[j]) }
        }
        let logPrior = z.scalars.map { -0.5 * Double($0 * $0) - 0.5 * Foundation.log(2 * Double.pi) }.reduce(0, +)
        let expected = logPrior + Foundation.log(Swift.abs(LUDecomposition(jacobian).determinant))
        #expect(Swift.abs(Double(logLikelihood.item) - expected) < 1e-3, "flow \(logLikelihood.item), brute force \(expected)")
    }

    /// A checkpointed run restores actnorm's initialisation and the warm-up position.
    @Test func stateAndInitialisationSurviveACheckpoint() throws {
        let glow = Self.small()
        _ = glow.trainStep(StepInput(images: MNISTSubset.trainImages(8)), context: MNISTSubset.context)
        let restored = Self.small()
        try restored.flow.loadStateDict(Dictionary(uniqueKeysWithValues: glow.flow.stateDict()))
        try restored.restoreState(glow.state)
        #expect(restored.state["updates"]!.item == 1 && restored.state["ema_updates"]!.item == 1)
        #expect((restored.flow.levels[0].steps[0] as! FlowStep).actnorm.initialized.item == 1)
        #expect(restored.sample(count: 2, generator: RandomGenerator(seed: 8)).scalars
                == glow.sample(count: 2, generator: RandomGenerator(seed: 8)).scalars)
    }

    /// Samples and likelihoods come from the moving average of the weights, which starts with the
    /// warm-up's decay (2/11 after the first step) and travels in the checkpoint's state.
    @Test func samplesAndLikelihoodsComeFromTheAverage() throws {
        let glow = Self.small()
        func weights() -> [String: Tensor] { Dictionary(uniqueKeysWithValues: glow.flow.stateDict().map { ($0.0, $0.1.copy()) }) }
        let before = weights()
        _ = glow.trainStep(StepInput(images: MNISTSubset.trainImages(8)), context: MNISTSubset.context)
        let key = before.keys.sorted().first { $0.contains("coupling") && $0.hasSuffix("weight") }!
        let expected = before[key]! * (2 / Float(11)) + weights()[key]! * (9 / Float(11))
        #expect((glow.state["ema.\(key)"]! - expected).abs().max().item < 1e-6)
        for step in 1..<3 {
            _ = glow.trainStep(StepInput(images: MNISTSubset.batch(MNISTSubset.trainImages(24), step: step, size: 8)), context: MNISTSubset.context)
        }
        #expect(glow.state["ema_updates"]!.item == 3)

        // Glows without an average, holding the average's weights and the trained ones.
        func plain(_ weights: [String: Tensor]) throws -> Glow {
            var config = glow.config
            config.emaDecay = 0
            let model = Glow(config)
            try model.flow.loadStateDict(weights)
            #expect(model.state["ema_updates"] == nil)
            return model
        }
        let average = ExponentialMovingAverage(of: glow.flow)
        try average.restore(from: glow.state)
        let averaged = try plain(average.shadow)
        let trained = try plain(weights())
        let x = glow.likelihoodInput(MNISTSubset.testImages(4), generator: RandomGenerator(seed: 3))
        func nll(_ model: Glow) -> [Float] { model.negativeLogLikelihood(x, samples: 1, generator: RandomGenerator(seed: 0)).nll.scalars }
        #expect(nll(glow) == nll(averaged))
        #expect(nll(glow) != nll(trained))
        #expect(glow.sample(count: 2, generator: RandomGenerator(seed: 5)).scalars == averaged.sample(count: 2, generator: RandomGenerator(seed: 5)).scalars)
    }

    /// A run configured before the average existed has none: its configuration decodes without
    /// `emaDecay`, and its checkpoints' state has no `ema.` keys to restore.
    @Test func runsFromBeforeTheAverageHaveNone() throws {
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(Glow.Config())) as! [String: Any]
        json["emaDecay"] = nil
        let old = try GlowKind.make(json: JSONSerialization.data(withJSONObject: json), version: 0)
        #expect(old.config.emaDecay == 0)
        #expect(old.state.keys.sorted() == ["updates"])
        try old.restoreState(["updates": Tensor([4])])
        #expect(old.state["updates"]!.item == 4)
    }

    /// Test bits/dim on 128 test digits after one step of 32 digits and after 60 (10 of them
    /// warm-up for the small models here), for the brief-training tests of every flow.
    static func trainBriefly(_ model: FlowModel) -> (before: Double, after: Double) {
        let test = model.likelihoodInput(MNISTSubset.testImages(128), generator: RandomGenerator(seed: 9))
        let images = MNISTSubset.trainImages(1920)
        _ = model.trainStep(StepInput(images: MNISTSubset.batch(images, step: 0, size: 32)), context: MNISTSubset.context)
        func testBitsPerDimension() -> Double {
            BitsPerDimension.fromNats(Double(model.negativeLogLikelihood(test, samples: 1, generator: RandomGenerator(seed: 0)).nll.mean().item),
                                      dimensions: 784)
        }
        let before = testBitsPerDimension()
        for step in 1..<60 {
            let losses = model.trainStep(StepInput(images: MNISTSubset.batch(images, step: step, size: 32)), context: MNISTSubset.context)
            #expect(losses["bits_per_dim"]!.isFinite)
        }
        return (before, testBitsPerDimension())
    }

    /// Brief training on real digits lowers the test NLL: 60 steps of 32 digits (10 of warm-up)
    /// take a small Glow (depth 4, width 32) more than 1 bit/dim below where one step leaves it
    /// (near 8, a uniform density over the 256 levels). When this test was written it went from
    /// 7.93 to 5.99.
    @Test func briefTrainingLowersTestBitsPerDimension() {
        let (before, after) = Self.trainBriefly(Self.small(depth: 4, hidden: 32, warmupSteps: 10))
        print("Glow test bits/dim: \(before) after one step, \(after) after 60")
        #expect(after < before - 1, "bits/dim \(before) → \(after)")
    }
}
