import MirageEval
import MirageTensor
import Testing

@Suite struct PerceptualPathLengthTests {
    /// Through a linear renderer and features (φ(G(w)) = 3w), every step of ε along a pair's line
    /// moves the features by 3ε‖w₂ − w₁‖, so the PPL is 9‖w₂ − w₁‖², here 9 × 4 for every pair.
    @Test func linearMapsGiveTheSquaredStretch() {
        let result = PerceptualPathLength.measure(
            pairs: 300, epsilon: 1e-3, chunk: 128, generator: RandomGenerator(seed: 1),
            endpoints: { n, _ in (Tensor.zeros([n, 4]), Tensor.ones([n, 4])) },
            render: { $0 * 3 }, features: { $0 })
        #expect(result.pairs == 300 && result.kept == 300)
        #expect(Swift.abs(result.value - 36) < 0.05, "PPL \(result.value)")
    }

    /// The values outside the 1st and 99th percentiles are left out: a pair stretched a
    /// thousandfold does not move the mean.
    @Test func outliersAreLeftOut() {
        var calls = 0
        let result = PerceptualPathLength.measure(
            pairs: 200, epsilon: 1e-3, chunk: 200, generator: RandomGenerator(seed: 2),
            endpoints: { n, _ in
                calls += 1
                var far = [Float](repeating: 1, count: n)
                far[7] = 1000
                return (Tensor.zeros([n, 1]), Tensor(far, shape: [n, 1]))
            },
            render: { $0 }, features: { $0 })
        #expect(calls == 1 && result.kept < 200)
        #expect(Swift.abs(result.value - 1) < 0.01, "PPL \(result.value)")
    }
}
