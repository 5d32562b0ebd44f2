import Foundation
import MirageData
import MirageTensor
import Testing

@Suite struct ToyDistributionTests {
    func points(_ t: Tensor) -> [SIMD2<Float>] {
        let s = t.scalars
        return stride(from: 0, to: s.count, by: 2).map { SIMD2(s[$0], s[$0 + 1]) }
    }

    @Test func ringModesAndSigma() {
        let ring = GaussianMixture2D.ring8()
        #expect(ring.modes.count == 8 && ring.sigma == 0.01)
        #expect(ring.modes.allSatisfy { Swift.abs(($0 * $0).sum().squareRoot() - 1) < 1e-6 })
        #expect(ring.modes[0] == SIMD2(1, 0))
        #expect(Swift.abs(ring.modes[2].x) < 1e-6 && ring.modes[2].y == 1)
    }

    @Test func gridModesAndSigma() {
        let grid = GaussianMixture2D.grid25()
        #expect(grid.modes.count == 25 && grid.sigma == 0.05)
        let coordinates: Set<Float> = [-4, -2, 0, 2, 4]
        #expect(Set(grid.modes.map(\.x)) == coordinates && Set(grid.modes.map(\.y)) == coordinates)
        #expect(Set(grid.modes.map { "\($0)" }).count == 25)
    }

    @Test(arguments: [GaussianMixture2D.ring8(), GaussianMixture2D.grid25()])
    func mixtureSamplesSitOnTheirModes(mixture: GaussianMixture2D) {
        let n = 20_000
        let x = mixture.sample(count: n, generator: RandomGenerator(seed: 1))
        #expect(x.shape == [n, 2])
        var perMode = [[SIMD2<Float>]](repeating: [], count: mixture.modes.count)
        for p in points(x) {
            let (k, d) = mixture.nearestMode(to: p)
            #expect(d < 6 * mixture.sigma)
            perMode[k].append(p - mixture.modes[k])
        }
        // Equal weights: each mode gets n/K ± 5 standard deviations.
        let expected = Double(n) / Double(mixture.modes.count)
        let tolerance = 5 * (expected * (1 - 1 / Double(mixture.modes.count))).squareRoot()
        #expect(perMode.allSatisfy { Swift.abs(Double($0.count) - expected) < tolerance })
        // Offsets from the modes: mean 0, standard deviation σ per axis.
        let offsets = perMode.flatMap { $0 }
        let mean = offsets.reduce(SIMD2<Float>.zero, +) / Float(offsets.count)
        let variance = offsets.map { ($0 - mean) * ($0 - mean) }.reduce(SIMD2<Float>.zero, +) / Float(offsets.count)
        #expect(Swift.abs(mean.x) < 0.03 * mixture.sigma && Swift.abs(mean.y) < 0.03 * mixture.sigma)
        #expect(Swift.abs(variance.x.squareRoot() / mixture.sigma - 1) < 0.02)
        #expect(Swift.abs(variance.y.squareRoot() / mixture.sigma - 1) < 0.02)
    }

    @Test func sameSeedSamePoints() {
        for name in ToyDistributions.names {
            let toy = ToyDistributions.named(name)!
            #expect(toy.name == name)
            let a = toy.sample(count: 100, generator: RandomGenerator(seed: 4))
            let b = toy.sample(count: 100, generator: RandomGenerator(seed: 4))
            let c = toy.sample(count: 100, generator: RandomGenerator(seed: 5))
            #expect(a.scalars == b.scalars && a.scalars != c.scalars, "\(name)")
        }
        #expect(ToyDistributions.named("ring9") == nil)
    }

    @Test func swissRollFollowsItsSpiral() {
        let exact = SwissRoll(noise: 0)
        for p in points(exact.sample(count: 2000, generator: RandomGenerator(seed: 2))) {
            // Unscaled, a point t·(cos t, sin t) has radius t in [1.5π, 4.5π] and angle ≡ t (mod 2π).
            let q = p / exact.scale
            let t = (q * q).sum().squareRoot()
            #expect(t >= 1.5 * Float.pi - 1e-3 && t <= 4.5 * Float.pi + 1e-3)
            #expect(Swift.abs(q.x - t * cos(t)) < 1e-3 * t && Swift.abs(q.y - t * sin(t)) < 1e-3 * t)
        }
        let noisy = points(SwissRoll().sample(count: 5000, generator: RandomGenerator(seed: 3)))
        #expect(noisy.allSatisfy { Swift.abs($0.x) < 2.2 && Swift.abs($0.y) < 2.2 })
    }

    @Test func moonsAndCircles() {
        let moons = points(TwoMoons(noise: 0).sample(count: 4000, generator: RandomGenerator(seed: 6)))
        var upper = 0
        for p in moons {
            let onUpper = Swift.abs((p * p).sum() - 1) < 1e-4 && p.y >= -1e-6
            let q = SIMD2<Float>(1 - p.x, 0.5 - p.y)
            let onLower = Swift.abs((q * q).sum() - 1) < 1e-4 && p.y <= 0.5 + 1e-6
            #expect(onUpper || onLower)
            if onUpper { upper += 1 }
        }
        #expect(Swift.abs(upper - 2000) < 160)
        let circles = ConcentricCircles(factor: 0.5, noise: 0)
        let radii = points(circles.sample(count: 4000, generator: RandomGenerator(seed: 7))).map { ($0 * $0).sum().squareRoot() }
        #expect(radii.allSatisfy { Swift.abs($0 - 1) < 1e-5 || Swift.abs($0 - 0.5) < 1e-5 })
        #expect(Swift.abs(radii.filter { $0 > 0.75 }.count - 2000) < 160)
    }

    @Test func boundedIndicesAreUniformAndShuffleIsAPermutation() {
        let g = RandomGenerator(seed: 11)
        var counts = [Int](repeating: 0, count: 7)
        for _ in 0..<70_000 { counts[g.nextIndex(below: 7)] += 1 }
        #expect(counts.allSatisfy { Swift.abs($0 - 10_000) < 500 })
        var order = Array(0..<1000)
        g.shuffle(&order)
        #expect(order.sorted() == Array(0..<1000) && order != Array(0..<1000))
        #expect(RandomGenerator.derived(seed: 1, 2).nextUInt32() != RandomGenerator.derived(seed: 1, 3).nextUInt32())
    }
}
