import Foundation
import MirageEval
import Testing

@Suite struct DiscreteDivergencesTests {
    /// KL against scipy.stats.entropy, JS against scipy.spatial.distance.jensenshannon squared.
    @Test(arguments: Fixtures.cases("divergences.json", "discrete").map { $0.string("name") })
    func matchesScipy(name: String) {
        let c = Fixtures.cases("divergences.json", "discrete").first { $0.string("name") == name }!
        let (p, q) = (c.vector("p"), c.vector("q"))
        let kl = KLDivergence.discrete(p, q)
        let js = JensenShannonDivergence.discrete(p, q)
        #expect(close(kl, c.double("kl"), atol: 1e-14, rtol: 1e-12), "\(name): KL \(kl), scipy \(c.double("kl"))")
        #expect(close(js, c.double("js"), atol: 1e-14, rtol: 1e-12), "\(name): JS \(js), scipy \(c.double("js"))")
    }

    @Test func klIsInfiniteWhereQVanishesOnPSupport() {
        #expect(KLDivergence.discrete([0.5, 0.5], [1, 0]) == .infinity)
        // The reverse direction is finite: p = 0 terms contribute 0.
        #expect(close(KLDivergence.discrete([1, 0], [0.5, 0.5]), log(2.0), atol: 1e-15))
    }

    @Test func jsSaturatesAtLogTwoForDisjointSupports() {
        // However the mass is arranged, disjoint supports give exactly log 2: JS cannot tell
        // "barely apart" from "far apart".
        for (p, q) in [([1.0, 0], [0.0, 1]), ([0.2, 0.8, 0, 0, 0], [0, 0, 0.1, 0.1, 0.8])] {
            #expect(close(JensenShannonDivergence.discrete(p, q), log(2.0), atol: 1e-15))
        }
        #expect(JensenShannonDivergence.discrete([0.5, 0.5], [0.5, 0.5]) == 0)
        let partial = JensenShannonDivergence.discrete([0.5, 0.5, 0], [0, 0.5, 0.5])
        #expect(partial > 0 && partial < log(2.0))
    }

    @Test func klToUniform() {
        #expect(KLDivergence.toUniform([5, 5, 5, 5]) == 0)
        #expect(close(KLDivergence.toUniform([7, 0, 0, 0, 0, 0, 0, 0, 0, 0]), log(10.0), atol: 1e-14))
        // Two of four bins equally: log 4 − log 2.
        #expect(close(KLDivergence.toUniform([3, 3, 0, 0]), log(2.0), atol: 1e-14))
    }

    @Test func normalisesWeights() {
        #expect(close(KLDivergence.discrete([2, 2], [9, 1]), KLDivergence.discrete([0.5, 0.5], [0.9, 0.1]), atol: 1e-15))
    }
}
