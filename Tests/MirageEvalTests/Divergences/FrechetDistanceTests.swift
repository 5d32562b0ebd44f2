import Foundation
import MirageEval
import MirageTensor
import Testing

@Suite struct FrechetDistanceTests {
    @Test func univariateIsSquaredW2() {
        // W₂² between N(m1, s1²) and N(m2, s2²) is (m1 − m2)² + (s1 − s2)².
        let p = Gaussian(mean: [1], covariance: Matrix([[4]])), q = Gaussian(mean: [-2], covariance: Matrix([[9]]))
        #expect(close(FrechetDistance.between(p, q), 9 + 1, atol: 1e-12))
    }

    @Test func commutingCovariancesClosedForm() {
        // Diagonal covariances: Σᵢ (√a − √b)² plus the mean term.
        let p = Gaussian(mean: [0, 0, 0], covariance: .diagonal([1, 4, 0]))
        let q = Gaussian(mean: [1, 1, 0], covariance: .diagonal([9, 1, 4]))
        #expect(close(FrechetDistance.between(p, q), 2 + 4 + 1 + 4, atol: 1e-12))
        #expect(FrechetDistance.between(p, p) == 0)
    }

    /// Against pytorch-fid's formula (scipy.linalg.sqrtm of Σ₁Σ₂) and NumPy's eigh route.
    @Test(arguments: Fixtures.cases("frechet.json", "cases").map { $0.string("name") })
    func matchesPytorchFid(name: String) {
        let c = Fixtures.cases("frechet.json", "cases").first { $0.string("name") == name }!
        let p = Gaussian(mean: c.vector("mu1"), covariance: c.matrix("sigma1"))
        let q = Gaussian(mean: c.vector("mu2"), covariance: c.matrix("sigma2"))
        let d = FrechetDistance.between(p, q)
        // With singular covariances, eigenvalues that are 0 in exact arithmetic come out as ±1e-16 and
        // their square roots as 1e-8, in any implementation: agreement is then to about 1e-8, relative.
        let tolerance = name.hasPrefix("singular") ? 1e-7 : 1e-10
        #expect(close(d, c.double("eigh"), atol: 1e-9, rtol: tolerance), "\(name): \(d), numpy eigh \(c.double("eigh"))")
        #expect(close(d, c.double("pytorch_fid"), atol: 1e-9, rtol: name.hasPrefix("singular") ? 1e-6 : 1e-10),
                "\(name): \(d), pytorch-fid \(c.double("pytorch_fid"))")
        #expect(close(FrechetDistance.between(q, p), d, atol: 1e-9, rtol: tolerance), "\(name): not symmetric")
    }

    @Test func samplesOfOneDistributionAreCloseAndShiftAddsMeanTerm() {
        let g = RandomGenerator(seed: 11)
        let x = Tensor.randn([4000, 8], generator: g), y = Tensor.randn([4000, 8], generator: g)
        let px = Gaussian(fitting: x), py = Gaussian(fitting: y)
        let same = FrechetDistance.between(px, py)
        #expect(same < 0.05)
        var shifted = py
        shifted.mean = py.mean.map { $0 + 0.5 }
        #expect(close(FrechetDistance.between(px, shifted) - same,
                      zip(px.mean, shifted.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
                          - zip(px.mean, py.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }, atol: 1e-9))
    }
}
