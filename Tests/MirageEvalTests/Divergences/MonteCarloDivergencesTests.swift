import Foundation
import MirageEval
import MirageTensor
import Testing

@Suite struct MonteCarloDivergencesTests {
    /// log N(x; mean, s²I) per row.
    private func logNormal(_ x: Tensor, mean: Float, std: Float) -> Tensor {
        FlowLikelihood.standardNormalLogDensity((x - mean) / std) - Float(x.shape[1]) * Foundation.log(std)
    }

    @Test func klMatchesClosedFormWithinStandardErrors() {
        let x = Tensor.randn([20_000, 3], generator: RandomGenerator(seed: 5))        // p = N(0, I)
        let estimate = KLDivergence.monteCarlo(samples: x, logP: { logNormal($0, mean: 0, std: 1) },
                                               logQ: { logNormal($0, mean: 0.5, std: 1.5) })
        let exact = KLDivergence.diagonalGaussians(mean1: [0, 0, 0], variance1: [1, 1, 1],
                                                   mean2: [0.5, 0.5, 0.5], variance2: [2.25, 2.25, 2.25])
        #expect(estimate.standardError < 0.01)
        #expect(Swift.abs(estimate.value - exact) < 4 * estimate.standardError, "\(estimate) vs exact \(exact)")
        #expect(estimate.count == 20_000)
    }

    @Test func jensenShannonMatchesQuadratureIn1D() {
        // JS(N(0, 1), N(1, 1)) by the trapezoid rule on a fine grid, in Double.
        func density(_ x: Double, _ m: Double) -> Double { exp(-(x - m) * (x - m) / 2) / (2 * Double.pi).squareRoot() }
        var quadrature = 0.0
        let h = 1e-3
        for i in 0..<25_000 {
            let x = -12 + Double(i) * h
            let (p, q) = (density(x, 0), density(x, 1))
            let m = (p + q) / 2
            var f = 0.0
            if p > 0 { f += 0.5 * p * log(p / m) }
            if q > 0 { f += 0.5 * q * log(q / m) }
            quadrature += f * h
        }
        let g = RandomGenerator(seed: 8)
        let xp = Tensor.randn([20_000, 1], generator: g), xq = Tensor.randn([20_000, 1], mean: 1, generator: g)
        let estimate = JensenShannonDivergence.monteCarlo(samplesP: xp, samplesQ: xq,
                                                          logP: { logNormal($0, mean: 0, std: 1) },
                                                          logQ: { logNormal($0, mean: 1, std: 1) })
        #expect(Swift.abs(estimate.value - quadrature) < 4 * estimate.standardError, "\(estimate) vs quadrature \(quadrature)")
    }

    @Test func jensenShannonSaturatesForFarApartGaussians() {
        let g = RandomGenerator(seed: 9)
        let xp = Tensor.randn([2000, 2], generator: g), xq = Tensor.randn([2000, 2], mean: 50, generator: g)
        let far = JensenShannonDivergence.monteCarlo(samplesP: xp, samplesQ: xq, logP: { logNormal($0, mean: 0, std: 1) },
                                                     logQ: { logNormal($0, mean: 50, std: 1) })
        #expect(close(far.value, log(2.0), atol: 1e-9))
    }
}
