import MirageEval
import MirageTensor
import Testing

@Suite struct SymmetricEigendecompositionTests {
    @Test func twoByTwoClosedForm() {
        let e = SymmetricEigendecomposition(Matrix([[2, 1], [1, 2]]))
        #expect(close(e.eigenvalues[0], 1, atol: 1e-14) && close(e.eigenvalues[1], 3, atol: 1e-14))
        // Eigenvector of 3 is (1, 1)/√2 up to sign.
        let v = e.eigenvectors
        #expect(close(Swift.abs(v[0, 1]), 0.5.squareRoot(), atol: 1e-14) && close(v[0, 1], v[1, 1], atol: 1e-14))
    }

    @Test func diagonalAndEmptyAndScalar() {
        #expect(SymmetricEigendecomposition(.diagonal([3, -1, 2])).eigenvalues == [-1, 2, 3])
        #expect(SymmetricEigendecomposition(Matrix([[-4.5]])).eigenvalues == [-4.5])
        #expect(SymmetricEigendecomposition(Matrix(zeros: 0, 0)).eigenvalues.isEmpty)
        #expect(SymmetricEigendecomposition(Matrix(zeros: 3, 3)).eigenvalues == [0, 0, 0])
    }

    /// Every matrix of linalg.json against numpy.linalg.eigh, plus A·V = V·Λ and VᵀV = I.
    @Test(arguments: Fixtures.cases("linalg.json", "symmetric").map { $0.string("name") })
    func matchesNumpyEigh(name: String) {
        let fixture = Fixtures.cases("linalg.json", "symmetric").first { $0.string("name") == name }!
        let a = fixture.matrix("matrix")
        let expected = fixture.vector("eigenvalues")
        let e = SymmetricEigendecomposition(a)
        let scale = expected.map(Swift.abs).max() ?? 1
        for (x, y) in zip(e.eigenvalues, expected) {
            #expect(close(x, y, atol: 1e-12 * scale), "\(name): eigenvalue \(x), numpy \(y)")
        }
        let v = e.eigenvectors
        #expect((v.transposed * v).maxAbsoluteDifference(.identity(a.rows)) < 1e-12, "\(name): V is not orthonormal")
        #expect((a * v).maxAbsoluteDifference(v * .diagonal(e.eigenvalues)) < 1e-11 * scale, "\(name): A·V ≠ V·Λ")
        #expect(e.reconstructed().maxAbsoluteDifference(a) < 1e-11 * scale)
    }

    @Test func largeCovarianceIsAccurate() {
        // A 200×200 covariance of 1000 samples: reconstruction must hold to rounding.
        let x = Tensor.randn([1000, 200], generator: RandomGenerator(seed: 3))
        let c = Gaussian(fitting: x).covariance
        let e = SymmetricEigendecomposition(c)
        #expect(e.reconstructed().maxAbsoluteDifference(c) < 1e-12)
        #expect(e.eigenvalues.allSatisfy { $0 > 0 })
        #expect(close(e.eigenvalues.reduce(0, +), c.trace, rtol: 1e-12))
    }
}
