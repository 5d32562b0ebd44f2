extension Matrix {
    /// The principal square root of a symmetric positive semi-definite matrix: the unique PSD
    /// matrix S with S·S = A, computed as V·diag(√λ)·Vᵀ from ``SymmetricEigendecomposition``.
    ///
    /// Covariance matrices are PSD in exact arithmetic, but one estimated from fewer samples
    /// than dimensions, or stored in Float32, has zero eigenvalues that rounding turns into tiny
    /// negative ones, whose square roots would be NaN. Negative eigenvalues are therefore
    /// clamped to 0 before the square root. For a symmetric input this is exactly the square
    /// root of the nearest PSD matrix in the Frobenius norm, so a matrix that is far from PSD
    /// (an input error) still gets a defined, documented answer rather than NaN. Unlike
    /// `scipy.linalg.sqrtm` (a Schur method for any matrix), the result is always real and
    /// symmetric.
    ///
    /// ```swift
    /// let a = Matrix([[4, 0], [0, 9]])
    /// print(a.symmetricSquareRoot())         // [[2, 0], [0, 3]]
    /// ```
    ///
    /// - Returns: The symmetric PSD square root.
    ///
    /// ### See Also
    /// - ``FrechetDistance``
    public func symmetricSquareRoot() -> Matrix {
        SymmetricEigendecomposition(self).reconstructed { Swift.max($0, 0).squareRoot() }
    }
}
