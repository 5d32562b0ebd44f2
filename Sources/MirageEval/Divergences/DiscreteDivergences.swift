import Foundation

/// The Kullback–Leibler divergence KL(p ‖ q) = E_p[log p − log q], in nats, in its discrete,
/// Gaussian and Monte Carlo forms.
///
/// KL is zero only for p = q, is not symmetric, and is +∞ as soon as p puts mass where q puts
/// none: that is why a generator whose support misses the data's (a GAN early in training) gives
/// no useful KL, and why ``JensenShannonDivergence`` and the Wasserstein distances exist.
///
/// ```swift
/// KLDivergence.discrete([0.5, 0.5], [0.9, 0.1])   // 0.5108…
/// KLDivergence.discrete([0.5, 0.5], [1, 0])       // +∞: q = 0 where p > 0
/// KLDivergence.toUniform([30, 10, 0, 0])          // class histogram against uniform
/// ```
///
/// - SeeAlso: Kullback & Leibler, "On Information and Sufficiency", 1951.
///
/// ### See Also
/// - ``JensenShannonDivergence``
/// - ``WassersteinDistance``
public enum KLDivergence {
    /// KL(p ‖ q) between two discrete distributions, like `scipy.stats.entropy(p, q)`.
    ///
    /// Both arguments are normalised to sum to 1 first, so histograms of counts may be passed.
    /// Terms with pᵢ = 0 contribute 0 (0·log 0 = 0); a term with pᵢ > 0 = qᵢ makes the
    /// divergence +∞. Summed in Double.
    ///
    /// - Parameters:
    ///   - p: Non-negative weights with a positive sum.
    ///   - q: Non-negative weights with a positive sum, as many as `p`.
    /// - Returns: KL(p ‖ q) in nats, in [0, +∞].
    public static func discrete(_ p: [Double], _ q: [Double]) -> Double {
        let (p, q) = normalisedPair(p, q, op: "KLDivergence.discrete")
        var total = 0.0
        for (pi, qi) in zip(p, q) where pi > 0 {
            if qi == 0 { return .infinity }
            total += pi * log(pi / qi)
        }
        return Swift.max(total, 0)
    }

    /// KL(h ‖ uniform) of a histogram over `h.count` bins: log K − H(h).
    ///
    /// 0 when every bin holds the same share; log K (its maximum) when one bin holds
    /// everything. Empty bins are allowed (they make the divergence larger, never infinite).
    ///
    /// - Parameter histogram: Non-negative counts or weights with a positive sum.
    /// - Returns: The divergence in nats, in [0, log K].
    public static func toUniform(_ histogram: [Double]) -> Double {
        discrete(histogram, [Double](repeating: 1, count: histogram.count))
    }

    /// ``toUniform(_:)-([Double])`` for integer counts.
    ///
    /// - Parameter counts: Non-negative counts with a positive sum.
    /// - Returns: The divergence in nats, in [0, log K].
    public static func toUniform(_ counts: [Int]) -> Double {
        toUniform(counts.map(Double.init))
    }
}

/// The Jensen–Shannon divergence JS(p, q) = ½KL(p ‖ m) + ½KL(q ‖ m), m = ½(p + q), in nats.
///
/// Symmetric and always finite, its square root is a metric. It saturates: JS ≤ log 2, with
/// equality exactly when p and q have disjoint supports, however far apart they are. A GAN's
/// original objective minimises it, so when the generator's samples and the data do not
/// overlap (early training, or low-dimensional manifolds in image space) the divergence is
/// stuck at log 2 and gives the generator no gradient; the Wasserstein distance keeps
/// measuring how far apart the supports are, which is why WGAN uses it.
///
/// ```swift
/// JensenShannonDivergence.discrete([0.5, 0.5, 0, 0], [0, 0, 0.3, 0.7])   // log 2 = 0.6931…
/// ```
///
/// - SeeAlso: Lin, "Divergence measures based on the Shannon entropy", 1991; Arjovsky et al.,
///   "Wasserstein GAN", 2017, <https://arxiv.org/abs/1701.07875>
public enum JensenShannonDivergence {
    /// JS(p, q) between two discrete distributions: the square of
    /// `scipy.spatial.distance.jensenshannon(p, q)`, which returns the JS *distance*.
    ///
    /// Both arguments are normalised to sum to 1 first.
    ///
    /// - Parameters:
    ///   - p: Non-negative weights with a positive sum.
    ///   - q: Non-negative weights with a positive sum, as many as `p`.
    /// - Returns: JS(p, q) in nats, in [0, log 2]; log 2 exactly for disjoint supports.
    public static func discrete(_ p: [Double], _ q: [Double]) -> Double {
        let (p, q) = normalisedPair(p, q, op: "JensenShannonDivergence.discrete")
        var total = 0.0
        for (pi, qi) in zip(p, q) {
            let m = (pi + qi) / 2
            if pi > 0 { total += pi * log(pi / m) }
            if qi > 0 { total += qi * log(qi / m) }
        }
        return Swift.min(Swift.max(total / 2, 0), log(2.0))
    }
}

/// Both weight vectors divided by their sums, after checking them.
func normalisedPair(_ p: [Double], _ q: [Double], op: String) -> ([Double], [Double]) {
    precondition(p.count == q.count, "\(op): p has \(p.count) entries, q has \(q.count)")
    return (normalised(p, op: op, name: "p"), normalised(q, op: op, name: "q"))
}

/// Weights divided by their sum; stops on negative, non-finite or all-zero weights.
func normalised(_ w: [Double], op: String, name: String) -> [Double] {
    precondition(w.allSatisfy { $0 >= 0 && $0.isFinite }, "\(op): \(name) has a negative or non-finite entry")
    let s = w.reduce(0, +)
    precondition(s > 0, "\(op): \(name) sums to 0; it is not a distribution")
    return w.map { $0 / s }
}
