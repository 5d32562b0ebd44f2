import Foundation
import MirageEval
import MirageTensor
import Testing

@Suite struct WassersteinDistanceTests {
    /// Equal, unequal and tiny sample sizes, and ties, against scipy.stats.wasserstein_distance.
    @Test(arguments: Fixtures.cases("divergences.json", "wasserstein1d").map { $0.string("name") })
    func matchesScipy(name: String) {
        let c = Fixtures.cases("divergences.json", "wasserstein1d").first { $0.string("name") == name }!
        let d = WassersteinDistance.exact1D(c.vector("u"), c.vector("v"))
        #expect(close(d, c.double("distance"), atol: 1e-12, rtol: 1e-12), "\(name): \(d), scipy \(c.double("distance"))")
        #expect(close(WassersteinDistance.exact1D(c.vector("v"), c.vector("u")), d, atol: 1e-12))
    }

    @Test func doesNotSaturateWhereJensenShannonDoes() {
        // Point masses at 0 and t: W₁ = t, JS = log 2 for every t > 0.
        for t in [0.1, 1.0, 100.0] {
            #expect(close(WassersteinDistance.exact1D([0.0], [t]), t, atol: 1e-12))
            #expect(close(JensenShannonDivergence.discrete([1, 0], [0, 1]), log(2.0), atol: 1e-15))
        }
        // A shift moves every point by c.
        let u: [Double] = [0.3, -1.2, 2.5, 0.0, 4.1]
        #expect(close(WassersteinDistance.exact1D(u, u.map { $0 + 1.75 }), 1.75, atol: 1e-12))
        #expect(WassersteinDistance.exact1D(u, u.reversed()) == 0)
    }

    @Test func slicedOfAShiftIsTheMeanProjectedShift() {
        // Y = X + m: every projection is shifted by θᵀm, so SW₁ = E|θᵀm| = 2‖m‖/π in 2-D.
        let x = Tensor.randn([500, 2], generator: RandomGenerator(seed: 1))
        let m = Tensor([3, 4], shape: [1, 2])
        let sw = WassersteinDistance.sliced(x, x + m, projections: 4000, generator: RandomGenerator(seed: 2))
        #expect(Swift.abs(sw - 5 * 2 / Double.pi) < 0.05, "sliced W1 \(sw), expected \(10 / Double.pi)")
        #expect(WassersteinDistance.sliced(x, x, projections: 16, generator: RandomGenerator(seed: 2)) == 0)
        let again = WassersteinDistance.sliced(x, x + m, projections: 4000, generator: RandomGenerator(seed: 2))
        #expect(again == sw)
    }

    @Test func slicedSeparatesUnequalSizes() {
        let g = RandomGenerator(seed: 4)
        let a = Tensor.randn([300, 5], generator: g), b = Tensor.randn([200, 5], generator: g)
        let far = Tensor.randn([200, 5], mean: 2, generator: g)
        let near = WassersteinDistance.sliced(a, b, projections: 200, generator: RandomGenerator(seed: 0))
        let shifted = WassersteinDistance.sliced(a, far, projections: 200, generator: RandomGenerator(seed: 0))
        #expect(near < 0.2 && shifted > 1.0)
    }
}
