import MirageTensor
import MirageTestSupport
import Testing

@Suite struct MatMulTests {
    /// Naive triple loop in double precision.
    static func reference(_ a: [Float], _ b: [Float], m: Int, k: Int, n: Int) -> [Float] {
        (0..<m * n).map { idx in
            let (i, j) = (idx / n, idx % n)
            return Float((0..<k).reduce(0.0) { $0 + Double(a[i * k + $1]) * Double(b[$1 * n + j]) })
        }
    }

    @Test func matchesNaiveProduct() {
        let a = Tensor.randn([5, 7], generator: RandomGenerator(seed: 1))
        let b = Tensor.randn([7, 3], generator: RandomGenerator(seed: 2))
        expectClose(a.matmul(b), Self.reference(a.scalars, b.scalars, m: 5, k: 7, n: 3), shape: [5, 3], atol: 1e-5)
    }

    @Test func batchedBroadcastAndVectors() {
        let a = Tensor.randn([2, 1, 4, 3], generator: RandomGenerator(seed: 3))
        let b = Tensor.randn([5, 3, 2], generator: RandomGenerator(seed: 4))
        let c = a.matmul(b)
        #expect(c.shape == [2, 5, 4, 2])
        let a1 = Array(a.scalars[12..<24]), b3 = Array(b.scalars[18..<24])
        expectClose(c.sliced([1..<2, 3..<4]).reshaped([8]), Self.reference(a1, b3, m: 4, k: 3, n: 2), atol: 1e-5)
        #expect(Tensor([1, 2, 3]).matmul(Tensor([4, 5, 6])).shape == [])
        #expect(Tensor([1, 2, 3]).matmul(Tensor([4, 5, 6])).item == 32)
        #expect(Tensor.ones([4, 3]).matmul(Tensor([1, 2, 3])).scalars == [6, 6, 6, 6])
        #expect(Tensor.ones([2, 4, 3]).matmul(Tensor.ones([3, 5])).shape == [2, 4, 5])
    }

    @Test func gradients() {
        let a = GradCheck.input([3, 4], seed: 5), b = GradCheck.input([4, 2], seed: 6)
        GradCheck.check([a, b]) { $0[0].matmul($0[1]) }
        GradCheck.check([a, b]) { $0[0].transposed().matmul($0[0]).matmul($0[1]) }
        let ba = GradCheck.input([2, 3, 4], seed: 7), bb = GradCheck.input([1, 4, 2], seed: 8)
        GradCheck.check([ba, bb]) { $0[0].matmul($0[1]) }
        GradCheck.check([ba, b]) { $0[0].matmul($0[1]) }
    }

    @Test func secondOrder() {
        let a = GradCheck.input([3, 4], seed: 9), b = GradCheck.input([4, 2], seed: 10)
        GradCheck.checkSecondOrder([a, b]) { $0[0].matmul($0[1]).tanh() }
        GradCheck.checkSecondOrder([a, b]) { $0[0].transposed().matmul($0[0]).matmul($0[1]) }
        let ba = GradCheck.input([2, 2, 3], seed: 11), bb = GradCheck.input([2, 3, 2], seed: 12)
        GradCheck.checkSecondOrder([ba, bb]) { $0[0].matmul($0[1]).pow(2) }
    }

    /// `x·Wᵀ`, the product of every Linear layer: values against the explicit transpose, and its
    /// first and second derivatives (a critic's linear layers sit under WGAN-GP's penalty).
    @Test func transposedProduct() {
        let x = Tensor.randn([2, 3, 5], generator: RandomGenerator(seed: 13)), w = Tensor.randn([4, 5], generator: RandomGenerator(seed: 14))
        let y = x.matmul(transposed: w)
        #expect(y.shape == [2, 3, 4])
        expectClose(y.reshaped([6, 4]), Self.reference(x.scalars, w.transposed().scalars, m: 6, k: 5, n: 4), atol: 1e-5)
        let a = GradCheck.input([3, 5], seed: 15), b = GradCheck.input([4, 5], seed: 16), ba = GradCheck.input([2, 3, 5], seed: 17)
        GradCheck.check([a, b]) { $0[0].matmul(transposed: $0[1]) }
        GradCheck.check([ba, b]) { $0[0].matmul(transposed: $0[1]) }
        GradCheck.checkSecondOrder([a, b]) { $0[0].matmul(transposed: $0[1]).tanh() }
        GradCheck.checkSecondOrder([ba, b]) { $0[0].matmul(transposed: $0[1]).pow(2) }
    }
}
