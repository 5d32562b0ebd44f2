import MirageEval
import Testing

@Suite struct MatrixSquareRootTests {
    @Test func diagonal() {
        #expect(Matrix.diagonal([4, 9, 0]).symmetricSquareRoot().maxAbsoluteDifference(.diagonal([2, 3, 0])) < 1e-15)
    }

    /// SPD and rank-deficient PSD matrices against scipy.linalg.sqrtm.
    @Test(arguments: Fixtures.cases("linalg.json", "roots").map { $0.string("name") })
    func matchesScipySqrtm(name: String) {
        let fixture = Fixtures.cases("linalg.json", "roots").first { $0.string("name") == name }!
        let a = fixture.matrix("matrix")
        let root = a.symmetricSquareRoot()
        // A zero eigenvalue computed as ±1e-16 has a square root of 1e-8 in any implementation.
        let tolerance = name.hasPrefix("psd") ? 1e-7 : 1e-9
        #expect(root.maxAbsoluteDifference(fixture.matrix("sqrtm")) < tolerance, "\(name): differs from the reference")
        #expect((root * root).maxAbsoluteDifference(a) < 1e-10, "\(name): S·S ≠ A")
        #expect(root.maxAbsoluteDifference(root.transposed) == 0, "\(name): not symmetric")
    }

    @Test func clampsNegativeEigenvaluesToZero() {
        // Eigenvalues 3 and −1e-12 (a rank-one PSD matrix perturbed by rounding): no NaN, the
        // square root of the nearest PSD matrix.
        let v = 0.5.squareRoot()
        let a = Matrix([[1.5 - 0.5e-12, 1.5 + 0.5e-12], [1.5 + 0.5e-12, 1.5 - 0.5e-12]])
        let root = a.symmetricSquareRoot()
        #expect(root.elements.allSatisfy { $0.isFinite })
        let expected = 3.0.squareRoot() * v * v
        #expect(root.maxAbsoluteDifference(Matrix([[expected, expected], [expected, expected]])) < 1e-9)
        // A clearly indefinite matrix gets the root of its PSD part.
        #expect(Matrix.diagonal([4, -9]).symmetricSquareRoot().maxAbsoluteDifference(.diagonal([2, 0])) < 1e-15)
    }
}
