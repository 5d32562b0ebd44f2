import MirageTensor

/// The 1-Wasserstein (earth mover's) distance between empirical distributions: exact in one
/// dimension, and sliced (averaged over random 1-D projections) in several.
///
/// W₁(p, q) = inf over couplings of E‖x − y‖: the least mass × distance needed to move one
/// distribution onto the other. Unlike KL and Jensen–Shannon it does not saturate when the
/// supports are disjoint: two point masses at 0 and at t are W₁ = |t| apart, while their JS is
/// log 2 for every t ≠ 0. That is the argument of WGAN. It is in the units of the data.
///
/// ```swift
/// WassersteinDistance.exact1D([0, 1, 3], [5, 6])       // scipy.stats.wasserstein_distance
/// let sw = WassersteinDistance.sliced(real, fake, projections: 256,
///                                     generator: RandomGenerator(seed: 0))
/// ```
///
/// - SeeAlso: Villani, *Optimal Transport: Old and New*, 2009; Arjovsky et al., "Wasserstein
///   GAN", 2017, <https://arxiv.org/abs/1701.07875>; Bonneel et al., "Sliced and Radon
///   Wasserstein Barycenters of Measures", 2015.
///
/// ### See Also
/// - ``FrechetDistance`` (the 2-Wasserstein distance between Gaussians)
public enum WassersteinDistance {
    /// The exact W₁ between two 1-D samples (equal or unequal sizes, each point weighted
    /// 1/size), as ∫|F_u(t) − F_v(t)| dt over the two empirical CDFs, like
    /// `scipy.stats.wasserstein_distance(u, v)`. O((m + n) log(m + n)), summed in Double.
    ///
    /// - Parameters:
    ///   - u: At least one finite value.
    ///   - v: At least one finite value.
    /// - Returns: W₁ ≥ 0, in the units of the values.
    public static func exact1D(_ u: [Double], _ v: [Double]) -> Double {
        precondition(!u.isEmpty && !v.isEmpty, "WassersteinDistance.exact1D: an empty sample (sizes \(u.count), \(v.count))")
        precondition((u + v).allSatisfy(\.isFinite), "WassersteinDistance.exact1D: a sample holds NaN or ∞")
        return sortedExact1D(u.sorted(), v.sorted())
    }

    /// ``exact1D(_:_:)`` for Float32 values.
    ///
    /// - Parameters:
    ///   - u: At least one finite value.
    ///   - v: At least one finite value.
    /// - Returns: W₁ ≥ 0.
    public static func exact1D(_ u: [Float], _ v: [Float]) -> Double {
        exact1D(u.map(Double.init), v.map(Double.init))
    }

    /// The sliced 1-Wasserstein distance SW₁(p, q) = E_θ W₁(θᵀp, θᵀq), θ uniform on the unit
    /// sphere, estimated with `projections` random directions.
    ///
    /// Each projection reduces the problem to the exact 1-D case, so the cost is
    /// O(P·(N + M) log(N + M)) rather than the O(N³) of exact optimal transport. SW₁ is a metric,
    /// 0 only when the distributions agree, and like W₁ it does not saturate. It is smaller than
    /// W₁ (by a dimension-dependent factor: for a pure shift by m it is ‖m‖·E|θ₁|, which is
    /// 2‖m‖/π in 2-D), so compare sliced values only with sliced values of the same dimension.
    ///
    /// - Parameters:
    ///   - x: `[N, d]` samples of p.
    ///   - y: `[M, d]` samples of q.
    ///   - projections: Number of random directions (more lowers the Monte Carlo error).
    ///   - generator: The source of the directions; the same seed gives the same value.
    /// - Returns: The estimate of SW₁, in the units of the data.
    public static func sliced(_ x: Tensor, _ y: Tensor, projections: Int = 128,
                              generator: RandomGenerator) -> Double {
        precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1] && x.shape[0] > 0 && y.shape[0] > 0,
                     "WassersteinDistance.sliced: expected samples [N, d] and [M, d], got \(x.shape) and \(y.shape)")
        precondition(projections > 0, "WassersteinDistance.sliced: projections must be positive, got \(projections)")
        let d = x.shape[1]
        let directions = Tensor.randn([projections, d], generator: generator)
        let unit = directions / directions.norm(axes: [1], keepDims: true).clamped(min: 1e-12)
        let (px, py) = withNoGrad { (x.matmul(unit.transposed()).transposed(), y.matmul(unit.transposed()).transposed()) }
        let (n, m) = (x.shape[0], y.shape[0])
        let (vx, vy) = (px.scalars, py.scalars)
        var total = 0.0
        for k in 0..<projections {
            let a = vx[(k * n)..<((k + 1) * n)].map(Double.init).sorted()
            let b = vy[(k * m)..<((k + 1) * m)].map(Double.init).sorted()
            total += sortedExact1D(a, b)
        }
        return total / Double(projections)
    }

    /// ∫|F_u − F_v| for sorted samples, by one merge over both.
    private static func sortedExact1D(_ u: [Double], _ v: [Double]) -> Double {
        let (m, n) = (Double(u.count), Double(v.count))
        var i = 0, j = 0
        var previous = Swift.min(u[0], v[0])
        var area = 0.0
        while i < u.count || j < v.count {
            let takeU = j == v.count || (i < u.count && u[i] <= v[j])
            let x = takeU ? u[i] : v[j]
            area += Swift.abs(Double(i) / m - Double(j) / n) * (x - previous)
            previous = x
            if takeU { i += 1 } else { j += 1 }
        }
        return area
    }
}
