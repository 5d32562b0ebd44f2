import Foundation
import MirageData
import MirageEval
import MirageTensor
import Testing

@Suite struct ModeCoverageTests {
    @Test(arguments: [GaussianMixture2D.ring8(), GaussianMixture2D.grid25()])
    func trueMixtureCoversEveryMode(mixture: GaussianMixture2D) {
        let x = mixture.sample(count: 2500, generator: RandomGenerator(seed: 1))
        let r = ModeCoverage.evaluate(samples: x, mixture: mixture)
        #expect(r.modesCaptured == mixture.modes.count && r.modeCount == mixture.modes.count)
        // In 2-D, P(‖z‖ < 3) = 1 − e^{−4.5} ≈ 0.989.
        #expect(Swift.abs(r.highQualityShare - (1 - exp(-4.5))) < 0.01, "high quality \(r.highQualityShare)")
        #expect(r.klToUniform < 0.02)
    }

    @Test(arguments: [GaussianMixture2D.ring8(), GaussianMixture2D.grid25()])
    func singleModeCoversOne(mixture: GaussianMixture2D) {
        let one = GaussianMixture2D(name: "one", modes: [mixture.modes[2]], sigma: mixture.sigma)
        let r = ModeCoverage.evaluate(samples: one.sample(count: 2500, generator: RandomGenerator(seed: 2)), mixture: mixture)
        #expect(r.modesCaptured == 1 && r.modeHistogram[2] == r.modeHistogram.reduce(0, +))
        #expect(close(r.klToUniform, log(Double(mixture.modes.count)), atol: 1e-12))
    }

    @Test func offModeSamplesAreLowQuality() {
        // Halfway between ring modes: nearest mode far beyond 3σ; no histogram, KL +∞.
        let r = ModeCoverage.evaluate(samples: Tensor([0, 0, 0.5, 0.5], shape: [2, 2]), mixture: .ring8())
        #expect(r.modesCaptured == 0 && r.highQualityShare == 0 && r.klToUniform == .infinity)
    }

    @Test func captureRuleThresholds() {
        // 99 samples on mode 0, 1 sample on mode 1 (exactly at their centres), σ = 0.1.
        let points = [Float](repeating: 0, count: 198) + [1, 0]
        let x = Tensor(points, shape: [100, 2])
        let modes: [SIMD2<Double>] = [SIMD2(0, 0), SIMD2(1, 0), SIMD2(0, 1)]
        #expect(ModeCoverage.evaluate(samples: x, modes: modes, sigma: 0.1).modesCaptured == 2)
        #expect(ModeCoverage.evaluate(samples: x, modes: modes, sigma: 0.1, rule: .atLeast(samples: 2)).modesCaptured == 1)
        #expect(ModeCoverage.evaluate(samples: x, modes: modes, sigma: 0.1, rule: .atLeastShare(0.01)).modesCaptured == 2)
        #expect(ModeCoverage.evaluate(samples: x, modes: modes, sigma: 0.1, rule: .atLeastShare(0.02)).modesCaptured == 1)
        // A point 0.25 from mode 0 is 2.5σ away with σ = 0.1 (high quality), 5σ with σ = 0.05.
        let near = Tensor([0.25, 0], shape: [1, 2])
        #expect(ModeCoverage.evaluate(samples: near, modes: modes, sigma: 0.1).highQualityShare == 1)
        #expect(ModeCoverage.evaluate(samples: near, modes: modes, sigma: 0.05).highQualityShare == 0)
    }
}
