import Foundation
import MirageEval
import MirageTensor
import Testing

@Suite struct GaussianDivergencesTests {
    @Test func univariateClosedForm() {
        // KL(N(0, 1) ‖ N(1, 4)) = log 2 + (1 + 1)/8 − 1/2.
        let expected = log(2.0) + 2.0 / 8 - 0.5
        let p = Gaussian(mean: [0], covariance: Matrix([[1]])), q = Gaussian(mean: [1], covariance: Matrix([[4]]))
        #expect(close(KLDivergence.gaussians(p, q), expected, atol: 1e-14))
        #expect(close(KLDivergence.diagonalGaussians(mean1: [0], variance1: [1], mean2: [1], variance2: [4]), expected, atol: 1e-14))
        #expect(KLDivergence.gaussians(p, p) == 0)
    }

    @Test func diagonalAgreesWithFull() {
        let (m1, v1, m2, v2) = ([0.3, -1, 2], [0.5, 2, 1.5], [1.0, 0, -0.5], [1.2, 0.7, 3])
        let full = KLDivergence.gaussians(Gaussian(mean: m1, covariance: .diagonal(v1)),
                                          Gaussian(mean: m2, covariance: .diagonal(v2)))
        #expect(close(KLDivergence.diagonalGaussians(mean1: m1, variance1: v1, mean2: m2, variance2: v2), full, rtol: 1e-13))
    }

    /// Full covariances against the closed form evaluated by NumPy (inverse and slogdet).
    @Test(arguments: Fixtures.cases("divergences.json", "gaussian_kl").map { $0.string("name") })
    func fullCovarianceMatchesNumpy(name: String) {
        let c = Fixtures.cases("divergences.json", "gaussian_kl").first { $0.string("name") == name }!
        let p = Gaussian(mean: c.vector("mu1"), covariance: c.matrix("sigma1"))
        let q = Gaussian(mean: c.vector("mu2"), covariance: c.matrix("sigma2"))
        #expect(close(KLDivergence.gaussians(p, q), c.double("kl"), atol: 1e-12, rtol: 1e-10))
    }

    @Test func singularCovarianceGivesInfinity() {
        let p = Gaussian(mean: [0, 0], covariance: .diagonal([1, 0])), q = Gaussian(mean: [0, 0], covariance: .identity(2))
        #expect(KLDivergence.gaussians(p, q) == .infinity)
        #expect(KLDivergence.gaussians(q, p) == .infinity)
        #expect(KLDivergence.diagonalGaussians(mean1: [0], variance1: [0], mean2: [0], variance2: [1]) == .infinity)
    }

    @Test func fittingMatchesNumpyCov() {
        // np.cov([[1, 2], [3, 5], [4, 9]], rowvar=False) = [[2.3333, 5.1667], [5.1667, 12.3333]].
        let g = Gaussian(fitting: Tensor([1, 2, 3, 5, 4, 9], shape: [3, 2]))
        #expect(close(g.mean[0], 8.0 / 3, atol: 1e-12) && close(g.mean[1], 16.0 / 3, atol: 1e-12))
        #expect(g.covariance.maxAbsoluteDifference(Matrix([[7.0 / 3, 31.0 / 6], [31.0 / 6, 37.0 / 3]])) < 1e-12)
    }

    /// Chunks of any size, the first of one row, give the fit of all rows at once; the features
    /// sit at 10⁴ with a spread of 1, where a sum of squares would lose the covariance's digits.
    @Test func accumulatedChunksMatchOneFit() {
        let x = Tensor.randn([611, 5], generator: RandomGenerator(seed: 4)) + 10_000
        let whole = Gaussian(fitting: x)
        var fit = Gaussian.Accumulator(dimension: 5)
        var start = 0
        for size in [1, 0, 7, 300, 3, 300] {
            fit.add(x.sliced(axis: 0, start..<start + size))
            start += size
        }
        #expect(fit.count == 611)
        let g = fit.gaussian
        #expect(zip(g.mean, whole.mean).allSatisfy { Swift.abs($0 - $1) < 1e-9 })
        #expect(g.covariance.maxAbsoluteDifference(whole.covariance) < 1e-9)
        #expect(Swift.abs(g.covariance[0, 0] - 1) < 0.2, "variance \(g.covariance[0, 0])")
    }
}
