/// The Fréchet distance between two Gaussians, d² = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁^½ Σ₂ Σ₁^½)^½):
/// the squared 2-Wasserstein distance between them, and the formula behind FID.
///
/// Applied to Gaussians fitted to a classifier's features of real and generated images, it
/// measures both sample quality (the means move when samples look wrong) and diversity (the
/// covariance shrinks when a generator collapses). It is 0 only for equal Gaussians and grows
/// without bound; it never saturates, unlike the Jensen–Shannon divergence. It is biased upward
/// for small sample sizes, so compare numbers computed from the same number of samples.
///
/// The trace of the matrix square root is computed in a numerically sound way: with
/// S = Σ₁^½ (symmetric, by ``Matrix/symmetricSquareRoot()``), the matrix S·Σ₂·S is symmetric
/// PSD and has the same eigenvalues as Σ₁Σ₂, so tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(S·Σ₂·S). Only symmetric
/// eigendecompositions are involved, and eigenvalues that rounding pushes below 0 are clamped
/// to 0. (pytorch-fid calls `scipy.linalg.sqrtm` on the non-symmetric Σ₁Σ₂, which may return
/// complex values or NaN for singular covariances and needs an ε·I fallback.) Rounding can
/// make the total a tiny negative number for equal inputs; it is clamped to 0.
///
/// ```swift
/// let real = Gaussian(fitting: judge.features(testImages))
/// let fake = Gaussian(fitting: judge.features(samples))
/// print(FrechetDistance.between(real, fake))
/// ```
///
/// - SeeAlso: Dowson & Landau, "The Fréchet distance between multivariate normal
///   distributions", 1982; Heusel et al., "GANs Trained by a Two Time-Scale Update Rule
///   Converge to a Local Nash Equilibrium" (FID), 2017, <https://arxiv.org/abs/1706.08500>
public enum FrechetDistance {
    /// The Fréchet (squared 2-Wasserstein) distance between two Gaussians.
    ///
    /// - Parameters:
    ///   - p: One Gaussian.
    ///   - q: The other, of the same dimension.
    /// - Returns: d² ≥ 0 (symmetric in `p` and `q` up to rounding).
    public static func between(_ p: Gaussian, _ q: Gaussian) -> Double {
        precondition(p.dimension == q.dimension,
                     "FrechetDistance: dimensions \(p.dimension) and \(q.dimension) differ")
        let meanTerm = zip(p.mean, q.mean).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return Swift.max(0, meanTerm + p.covariance.trace + q.covariance.trace
                            - 2 * traceOfSquareRootOfProduct(p.covariance, q.covariance))
    }

    /// tr((Σ₁Σ₂)^½) = Σᵢ √λᵢ(Σ₁^½ Σ₂ Σ₁^½), negative eigenvalues clamped to 0.
    ///
    /// - Parameters:
    ///   - sigma1: A symmetric PSD matrix.
    ///   - sigma2: A symmetric PSD matrix of the same size.
    /// - Returns: The trace, ≥ 0.
    public static func traceOfSquareRootOfProduct(_ sigma1: Matrix, _ sigma2: Matrix) -> Double {
        let s = sigma1.symmetricSquareRoot()
        let m = (s * sigma2 * s).symmetrized
        return SymmetricEigendecomposition(m).eigenvalues.reduce(0) { $0 + Swift.max($1, 0).squareRoot() }
    }
}
