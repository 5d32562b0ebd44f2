import MirageEval
import MirageTensor
import Testing

@Suite struct MaximumMeanDiscrepancyTests {
    /// The unbiased estimator against a plain NumPy double loop, for fixed and median bandwidths.
    @Test(arguments: Fixtures.cases("divergences.json", "mmd").map { $0.string("name") })
    func matchesNumpy(name: String) {
        let c = Fixtures.cases("divergences.json", "mmd").first { $0.string("name") == name }!
        let (x, y) = (c.tensor("x"), c.tensor("y"))
        let value: Double
        if c["bandwidth"] != nil {
            value = MaximumMeanDiscrepancy.rbfSquared(x, y, bandwidth: c.double("bandwidth"))
        } else {
            let h = MaximumMeanDiscrepancy.medianHeuristicBandwidth(x, y)
            #expect(close(h, c.double("median_bandwidth"), rtol: 1e-6), "\(name): median \(h)")
            value = MaximumMeanDiscrepancy.rbfSquared(x, y)
        }
        #expect(close(value, c.double("mmd2"), atol: 2e-6), "\(name): \(value), numpy \(c.double("mmd2"))")
    }

    @Test func detectsAShiftAndSaturatesWithTinyBandwidth() {
        let g = RandomGenerator(seed: 12)
        let x = Tensor.randn([400, 2], generator: g), y = Tensor.randn([400, 2], generator: g)
        let shifted = Tensor.randn([400, 2], mean: 1, generator: g)
        let same = MaximumMeanDiscrepancy.rbfSquared(x, y), apart = MaximumMeanDiscrepancy.rbfSquared(x, shifted)
        #expect(Swift.abs(same) < 0.01 && apart > 0.1, "same \(same), shifted \(apart)")
        // A bandwidth far below the point spacing sees every pair as unrelated: MMD² ≈ 0.
        #expect(Swift.abs(MaximumMeanDiscrepancy.rbfSquared(x, shifted, bandwidth: 1e-4)) < 1e-6)
    }
}
