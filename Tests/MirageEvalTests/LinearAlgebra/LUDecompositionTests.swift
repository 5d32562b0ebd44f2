import MirageEval
import MirageTensor
import Testing

@Suite struct LUDecompositionTests {
    static func random(_ n: Int, seed: UInt64) -> Matrix {
        Matrix(rows: n, columns: n, elements: Tensor.randn([n, n], generator: RandomGenerator(seed: seed)).scalars.map(Double.init))
    }

    @Test(arguments: [1, 2, 5, 12])
    func factorsRebuildTheMatrixAndInvertIt(_ n: Int) {
        let a = Self.random(n, seed: UInt64(n))
        let lu = LUDecomposition(a)
        #expect((lu.permutation * lu.lower * lu.upper).maxAbsoluteDifference(a) < 1e-12)
        for i in 0..<n {
            #expect(lu.lower[i, i] == 1)
            for j in 0..<n where j > i { #expect(lu.lower[i, j] == 0) }
            for j in 0..<n where j < i { #expect(lu.upper[i, j] == 0) }
        }
        #expect((lu.inverse * a).maxAbsoluteDifference(.identity(n)) < 1e-10)
    }

    /// A pivot is needed (a zero in the corner), and the permutation's sign enters the determinant.
    @Test func pivotsAndDeterminant() {
        let a = Matrix([[0, 2, 1], [3, 1, 0], [1, 1, 1]])
        let lu = LUDecomposition(a)
        // det = 0·(1−0) − 2·(3−0) + 1·(3−1) = −4
        #expect(Swift.abs(lu.determinant - -4) < 1e-12)
        #expect((lu.permutation * lu.lower * lu.upper).maxAbsoluteDifference(a) < 1e-12)
        #expect(Swift.abs(LUDecomposition(Matrix([[0, 1], [1, 0]])).determinant - -1) < 1e-15)
    }

    @Test func randomOrthogonalIsOrthogonal() {
        let q = Matrix.randomOrthogonal(16, normals: Self.random(16, seed: 3).elements)
        #expect((q.transposed * q).maxAbsoluteDifference(.identity(16)) < 1e-12)
        #expect(Swift.abs(Swift.abs(LUDecomposition(q).determinant) - 1) < 1e-10)
    }
}
