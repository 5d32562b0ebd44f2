import Foundation
import MirageTensor

/// The squared maximum mean discrepancy MMD²(p, q) with a Gaussian (RBF) kernel
/// k(x, y) = exp(−‖x − y‖² / (2h²)): the squared distance between the mean embeddings of p and
/// q in the kernel's feature space.
///
/// With a characteristic kernel such as the RBF, MMD is 0 exactly when p = q. It is bounded
/// (MMD² ≤ 2, since 0 < k ≤ 1) and saturates in both directions of the bandwidth h: when h is
/// far below the distances between points every k(x, y) with x ≠ y is ≈ 0 and MMD² ≈ 0 for any
/// two distributions whose samples are distinct, and when h is far above them every k ≈ 1 and
/// MMD² ≈ 0 again. Hence the median heuristic (``medianHeuristicBandwidth(_:_:maxPoints:)``),
/// which puts h at the typical distance between points.
///
/// The estimator is the unbiased U-statistic
/// MMD²ᵤ = Σ_{i≠j} k(xᵢ, xⱼ)/(m(m−1)) + Σ_{i≠j} k(yᵢ, yⱼ)/(n(n−1)) − 2 Σᵢⱼ k(xᵢ, yⱼ)/(mn),
/// which can be slightly negative when p = q; that is expected, not an error. Distances come
/// from a Float32 matrix product on centred data, kernel sums are accumulated in Double.
///
/// ```swift
/// let h = MaximumMeanDiscrepancy.medianHeuristicBandwidth(real, fake)
/// let mmd2 = MaximumMeanDiscrepancy.rbfSquared(real, fake, bandwidth: h)
/// ```
///
/// - SeeAlso: Gretton et al., "A Kernel Two-Sample Test", JMLR 2012,
///   <https://jmlr.org/papers/v13/gretton12a.html>
public enum MaximumMeanDiscrepancy {
    /// The unbiased estimate of MMD² with an RBF kernel of bandwidth `bandwidth`.
    ///
    /// - Parameters:
    ///   - x: `[m, d]` samples of p, m ≥ 2.
    ///   - y: `[n, d]` samples of q, n ≥ 2.
    ///   - bandwidth: h > 0, in the units of the data.
    /// - Returns: MMD²ᵤ, in [−1, 2]; near 0 when the samples come from one distribution.
    public static func rbfSquared(_ x: Tensor, _ y: Tensor, bandwidth: Double) -> Double {
        precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1] && x.shape[0] >= 2 && y.shape[0] >= 2,
                     "MaximumMeanDiscrepancy: expected samples [m, d] and [n, d] with m, n ≥ 2, got \(x.shape) and \(y.shape)")
        precondition(bandwidth > 0 && bandwidth.isFinite, "MaximumMeanDiscrepancy: bandwidth must be positive, got \(bandwidth)")
        // Centring on the pooled mean keeps ‖a‖² + ‖b‖² − 2a·b from cancelling catastrophically.
        let centre = Tensor.concat([x, y], axis: 0).mean(axis: 0, keepDims: true)
        let (cx, cy) = withNoGrad { (x - centre, y - centre) }
        let gamma = 1 / (2 * bandwidth * bandwidth)
        let (m, n) = (Double(x.shape[0]), Double(y.shape[0]))
        let kxx = kernelSum(cx, cx, gamma: gamma, skipDiagonal: true) / (m * (m - 1))
        let kyy = kernelSum(cy, cy, gamma: gamma, skipDiagonal: true) / (n * (n - 1))
        let kxy = kernelSum(cx, cy, gamma: gamma, skipDiagonal: false) / (m * n)
        return kxx + kyy - 2 * kxy
    }

    /// ``rbfSquared(_:_:bandwidth:)`` with the bandwidth chosen by the median heuristic.
    ///
    /// - Parameters:
    ///   - x: `[m, d]` samples of p.
    ///   - y: `[n, d]` samples of q.
    /// - Returns: MMD²ᵤ.
    public static func rbfSquared(_ x: Tensor, _ y: Tensor) -> Double {
        rbfSquared(x, y, bandwidth: medianHeuristicBandwidth(x, y))
    }

    /// The median heuristic: h = the median Euclidean distance between distinct points of the
    /// pooled sample (the mean of the two middle values for an even number of pairs, as
    /// `numpy.median`).
    ///
    /// When the pooled sample has more than `maxPoints` points, `maxPoints` of them, evenly
    /// spaced through x then y, are used: the median of 500,000 distances is as good as that
    /// of 50 million. If every distance is 0 (all points equal), h = 1.
    ///
    /// - Parameters:
    ///   - x: `[m, d]` samples.
    ///   - y: `[n, d]` samples.
    ///   - maxPoints: The most points used (at least 2).
    /// - Returns: h > 0.
    public static func medianHeuristicBandwidth(_ x: Tensor, _ y: Tensor, maxPoints: Int = 1000) -> Double {
        precondition(x.rank == 2 && y.rank == 2 && x.shape[1] == y.shape[1],
                     "MaximumMeanDiscrepancy.medianHeuristicBandwidth: expected [m, d] and [n, d], got \(x.shape) and \(y.shape)")
        precondition(maxPoints >= 2, "MaximumMeanDiscrepancy.medianHeuristicBandwidth: maxPoints must be at least 2")
        let d = x.shape[1]
        let pooled = (x.scalars + y.scalars).map(Double.init)
        let total = x.shape[0] + y.shape[0]
        precondition(total >= 2, "MaximumMeanDiscrepancy.medianHeuristicBandwidth: need at least 2 points")
        let used = Swift.min(total, maxPoints)
        let rows = (0..<used).map { $0 * total / used }
        var distances: [Double] = []
        distances.reserveCapacity(used * (used - 1) / 2)
        for a in 0..<used {
            for b in (a + 1)..<used {
                var s = 0.0
                for k in 0..<d {
                    let t = pooled[rows[a] * d + k] - pooled[rows[b] * d + k]
                    s += t * t
                }
                distances.append(s.squareRoot())
            }
        }
        distances.sort()
        let c = distances.count
        let median = c % 2 == 1 ? distances[c / 2] : (distances[c / 2 - 1] + distances[c / 2]) / 2
        return median > 0 ? median : 1
    }

    /// Σᵢⱼ exp(−γ‖aᵢ − bⱼ‖²), without the i = j terms when `skipDiagonal` (a and b the same set).
    private static func kernelSum(_ a: Tensor, _ b: Tensor, gamma: Double, skipDiagonal: Bool) -> Double {
        let (na, nb) = (a.shape[0], b.shape[0])
        let normsB = rowSquaredNorms(b)
        let block = Swift.max(1, (1 << 22) / Swift.max(nb, 1))
        var total = 0.0
        var start = 0
        while start < na {
            let end = Swift.min(na, start + block)
            let rowsA = a.sliced(axis: 0, start..<end)
            let normsA = rowSquaredNorms(rowsA)
            let dots = withNoGrad { rowsA.matmul(b.transposed()) }.scalars
            for i in 0..<(end - start) {
                for j in 0..<nb where !(skipDiagonal && start + i == j) {
                    let d2 = Swift.max(0, normsA[i] + normsB[j] - 2 * Double(dots[i * nb + j]))
                    total += exp(-gamma * d2)
                }
            }
            start = end
        }
        return total
    }

    private static func rowSquaredNorms(_ t: Tensor) -> [Double] {
        let (n, d) = (t.shape[0], t.shape[1])
        return t.withUnsafeBufferPointer { p in
            (0..<n).map { i in (0..<d).reduce(0.0) { $0 + Double(p[i * d + $1]) * Double(p[i * d + $1]) } }
        }
    }
}
