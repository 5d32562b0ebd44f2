import Foundation
import MirageData
import MirageEval
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct RealNVPTests {
    static func small(hidden: Int = 16, blocks: Int = 1, imageShape: [Int] = [1, 28, 28], warmupSteps: Int = 200,
                      emaDecay: Float = 0.999) -> RealNVP {
        var config = RealNVP.Config()
        config.emaDecay = emaDecay
        config.warmupSteps = warmupSteps
        config.imageShape = imageShape
        config.hidden = hidden
        config.blocks = blocks
        return RealNVP(config)
    }

    /// `scripts/make_torch_flow_fixtures.py`: the peer's RealNVPFlow with every weight drawn.
    static let fixture: Checkpoint = Fixtures.load("torch_realnvp")

    /// The flow is PyTorch's, name for name: the same state dict gives the same log-likelihood of
    /// dequantised pixels (through the logit transform) and the same gradient for every parameter.
    @Test func matchesPyTorch() throws {
        let f = Self.fixture.tensors
        let model = Self.small(hidden: 8, imageShape: [1, 8, 8])
        try model.flow.loadStateDict(Self.fixture.tensors(under: "param"))
        let (h, inputLogDet) = model.flowInput(f["images"]!)
        let logLikelihood = model.flow.encode(h).logLikelihood + inputLogDet!
        #expect((logLikelihood - f["log_likelihood"]!).abs().max().item < 1e-2, "\(logLikelihood.scalars) vs \(f["log_likelihood"]!.scalars)")
        GlowTests.expectGradientsMatch(of: logLikelihood, in: model.flow, fixture: f, floor: 1e-3)
    }

    @Test func shapesLatentsAndSheets() {
        let model = Self.small()
        let x = model.likelihoodInput(MNISTSubset.testImages(4), generator: RandomGenerator(seed: 0))
        let (latents, logLikelihood) = withNoGrad { model.flow.encode(model.flowInput(x).x) }
        #expect(latents.map(\.shape) == [[4, 2, 14, 14], [4, 4, 7, 7], [4, 4, 7, 7]])
        #expect(logLikelihood.shape == [4])
        #expect(model.flow.priors.isEmpty && model.flow.topMean == nil)
        let samples = model.sample(count: 3, temperature: 0.7, generator: RandomGenerator(seed: 1))
        #expect(samples.shape == [3, 1, 28, 28] && samples.min().item >= 0 && samples.max().item <= 1)
        let sheets = model.sheets(fixed: StepInput(images: MNISTSubset.testImages(16)), noise: RandomGenerator(seed: 2))
        #expect(sheets.map(\.name) == ["samples", "interpolations"])
        #expect(sheets[0].images.shape == [64, 1, 28, 28] && sheets[1].images.shape == [80, 1, 28, 28])
    }

    /// Pixels → logit → z → back to pixels, every parameter off its start.
    @Test func theWholeModelInverts() {
        let model = Self.small()
        GlowTests.perturb(model.flow, seed: 4)
        let x = model.likelihoodInput(MNISTSubset.testImages(6), generator: RandomGenerator(seed: 3))
        let back = withNoGrad { model.images(fromFlow: model.flow.decode(model.flow.encode(model.flowInput(x).x).latents)) }
        #expect((back - x).abs().max().item < 1e-4, "off by \((back - x).abs().max().item)")
    }

    /// The reported NLL is the change of variables done by brute force, the logit transform
    /// included: −log p(x̃) = −Σ log N(z; 0, 1) − log |det ∂z/∂x̃| for the full 16×16 Jacobian of
    /// a 1×4×4 image's latents (two scales and the last checkerboard level), plus 16·log 256.
    @Test func likelihoodIsTheChangeOfVariables() throws {
        // Without a moving average, so that the likelihood is the perturbed flow's.
        let model = Self.small(hidden: 8, imageShape: [1, 4, 4], emaDecay: 0)
        GlowTests.perturb(model.flow, seed: 7)
        let x0 = Tensor.rand([1, 1, 4, 4], low: 0.02, high: 0.98, generator: RandomGenerator(seed: 5))
        let x = x0.requiringGrad()
        let latents = model.flow.encode(model.flowInput(x).x).latents
        let z = Tensor.concat(latents.map { $0.reshaped([1, $0.count]) }, axis: 1).reshaped([16])
        var jacobian = Matrix(zeros: 16, 16)
        for i in 0..<16 {
            let row = gradients(of: z.sliced(axis: 0, i..<(i + 1)).sum(), wrt: [x])[0].scalars
            for j in 0..<16 { jacobian[i, j] = Double(row[j]) }
        }
        let logPrior = z.scalars.map { -0.5 * Double($0 * $0) - 0.5 * Foundation.log(2 * Double.pi) }.reduce(0, +)
        let expected = -(logPrior + Foundation.log(Swift.abs(LUDecomposition(jacobian).determinant))) + 16 * Foundation.log(256.0)
        let reported = Double(model.negativeLogLikelihood(x0, samples: 1, generator: RandomGenerator(seed: 0)).nll.item)
        #expect(Swift.abs(reported - expected) < 1e-3 * max(1, Swift.abs(expected)), "reported \(reported), brute force \(expected)")
    }

    /// Brief training on real digits lowers the test NLL: 60 steps of 32 digits (10 of warm-up)
    /// take a small RealNVP (width 16, one block) more than 1 bit/dim below where one step leaves
    /// it. When this test was written it went from 10.50 to 4.76.
    @Test func briefTrainingLowersTestBitsPerDimension() {
        let (before, after) = GlowTests.trainBriefly(Self.small(warmupSteps: 10))
        print("RealNVP test bits/dim: \(before) after one step, \(after) after 60")
        #expect(after < before - 1, "bits/dim \(before) → \(after)")
    }
}
