import Foundation

extension KLDivergence {
    /// KL(p ‖ q) between two multivariate Gaussians, in closed form:
    /// ½[tr(Σq⁻¹Σp) + (μq − μp)ᵀΣq⁻¹(μq − μp) − d + log det Σq − log det Σp].
    ///
    /// Computed in Double through ``SymmetricEigendecomposition`` of both covariances. It is
    /// +∞ when either covariance is singular (an eigenvalue ≤ 10⁻¹⁴·its largest): a degenerate
    /// p lives on a subspace that a non-degenerate q gives zero mass, and a degenerate q gives
    /// zero density off its subspace, so no finite value is correct.
    ///
    /// ```swift
    /// let p = Gaussian(mean: [0, 0], covariance: .identity(2))
    /// let q = Gaussian(mean: [1, 0], covariance: .diagonal([2, 2]))
    /// KLDivergence.gaussians(p, q)   // ½(1 + 0.5 − 2 + log 4) = 0.4431…
    /// ```
    ///
    /// - Parameters:
    ///   - p: The first Gaussian.
    ///   - q: The second, of the same dimension.
    /// - Returns: KL(p ‖ q) in nats, in [0, +∞].
    public static func gaussians(_ p: Gaussian, _ q: Gaussian) -> Double {
        precondition(p.dimension == q.dimension, "KLDivergence.gaussians: dimensions \(p.dimension) and \(q.dimension) differ")
        let d = p.dimension
        let ep = SymmetricEigendecomposition(p.covariance), eq = SymmetricEigendecomposition(q.covariance)
        guard isPositiveDefinite(ep.eigenvalues), isPositiveDefinite(eq.eigenvalues) else { return .infinity }
        // In q's eigenbasis: Σq⁻¹ = V diag(1/λ) Vᵀ.
        let v = eq.eigenvectors
        let sigmaPV = p.covariance * v
        let diff = (0..<d).map { q.mean[$0] - p.mean[$0] }
        var traceTerm = 0.0, mahalanobis = 0.0
        for k in 0..<d {
            var quad = 0.0, proj = 0.0
            for i in 0..<d {
                quad += v[i, k] * sigmaPV[i, k]
                proj += v[i, k] * diff[i]
            }
            traceTerm += quad / eq.eigenvalues[k]
            mahalanobis += proj * proj / eq.eigenvalues[k]
        }
        let logDetQ = eq.eigenvalues.reduce(0) { $0 + log($1) }
        let logDetP = ep.eigenvalues.reduce(0) { $0 + log($1) }
        return Swift.max(0, 0.5 * (traceTerm + mahalanobis - Double(d) + logDetQ - logDetP))
    }

    /// KL(p ‖ q) between two Gaussians with diagonal covariances:
    /// ½ Σᵢ [σp,ᵢ²/σq,ᵢ² + (μq,ᵢ − μp,ᵢ)²/σq,ᵢ² − 1 + log σq,ᵢ² − log σp,ᵢ²].
    ///
    /// The VAE's regulariser is the case q = N(0, I). A zero variance makes the divergence +∞
    /// (see ``gaussians(_:_:)``).
    ///
    /// ```swift
    /// KLDivergence.diagonalGaussians(mean1: [0], variance1: [1], mean2: [1], variance2: [1])   // 0.5
    /// ```
    ///
    /// - Parameters:
    ///   - mean1: μp.
    ///   - variance1: σp², non-negative.
    ///   - mean2: μq.
    ///   - variance2: σq², non-negative.
    /// - Returns: KL(p ‖ q) in nats, in [0, +∞].
    public static func diagonalGaussians(mean1: [Double], variance1: [Double],
                                         mean2: [Double], variance2: [Double]) -> Double {
        let d = mean1.count
        precondition(variance1.count == d && mean2.count == d && variance2.count == d,
                     "KLDivergence.diagonalGaussians: lengths \(mean1.count), \(variance1.count), \(mean2.count), \(variance2.count) differ")
        precondition((variance1 + variance2).allSatisfy { $0 >= 0 }, "KLDivergence.diagonalGaussians: negative variance")
        var total = 0.0
        for i in 0..<d {
            let (v1, v2) = (variance1[i], variance2[i])
            if v1 == 0 || v2 == 0 { return .infinity }
            let m = mean2[i] - mean1[i]
            total += v1 / v2 + m * m / v2 - 1 + log(v2) - log(v1)
        }
        return Swift.max(0, total / 2)
    }

    private static func isPositiveDefinite(_ eigenvalues: [Double]) -> Bool {
        guard let largest = eigenvalues.last, largest > 0 else { return eigenvalues.isEmpty }
        return eigenvalues[0] > 1e-14 * largest
    }
}
