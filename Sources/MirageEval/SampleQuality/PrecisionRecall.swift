import MirageTensor

/// Improved precision and recall for generative models (Kynkäänniemi et al., 2019), by
/// k-nearest neighbours in a feature space.
///
/// Each feature set is turned into a manifold estimate: the union of balls centred on its
/// points, each with the radius of the distance to that point's k-th nearest neighbour in the
/// same set (k = 3 by default, as in the paper). Then
/// - **precision** is the share of generated samples that fall inside the real manifold (how
///   many samples look real; it drops with blurry or broken samples), and
/// - **recall** is the share of real samples that fall inside the generated manifold (how much
///   of the real variety the generator reaches; it drops with mode collapse).
///
/// Both lie in [0, 1]. A ball boundary counts as inside. Both saturate towards 1 as k grows or as
/// the other set grows (bigger balls cover more), so compare values computed with the same k and
/// the same set sizes. A handful of far outliers in one set inflate its balls: the paper's
/// caveat, kept here.
///
/// Distances are exact (no approximate search): ‖a‖² + ‖b‖² − 2a·b from Float32 matrix
/// products in blocks, so 10,000 × 10,000 points of 128 features take a few seconds.
///
/// ```swift
/// let real = judge.evaluate(testImages).features, fake = judge.evaluate(samples).features
/// let (precision, recall) = PrecisionRecall.compute(real: real, generated: fake)
/// ```
///
/// - SeeAlso: Kynkäänniemi et al., "Improved Precision and Recall Metric for Assessing
///   Generative Models", NeurIPS 2019, <https://arxiv.org/abs/1904.06991>
public enum PrecisionRecall {
    /// Precision and recall of `generated` against `real`.
    ///
    /// - Parameters:
    ///   - real: `[N, d]` features of real samples, N > k.
    ///   - generated: `[M, d]` features of generated samples, M > k.
    ///   - k: The neighbour that sets each ball's radius (k ≥ 1).
    /// - Returns: Precision and recall, each in [0, 1].
    public static func compute(real: Tensor, generated: Tensor, k: Int = 3) -> (precision: Double, recall: Double) {
        precondition(real.rank == 2 && generated.rank == 2 && real.shape[1] == generated.shape[1],
                     "PrecisionRecall: expected features [N, d] and [M, d], got \(real.shape) and \(generated.shape)")
        precondition(k >= 1 && real.shape[0] > k && generated.shape[0] > k,
                     "PrecisionRecall: k = \(k) needs more than k samples in each set, got \(real.shape[0]) and \(generated.shape[0])")
        let realRadii = nearestNeighbourRadii(real, k: k)
        let generatedRadii = nearestNeighbourRadii(generated, k: k)
        return (shareInside(generated, manifold: real, squaredRadii: realRadii),
                shareInside(real, manifold: generated, squaredRadii: generatedRadii))
    }

    /// The squared distance from each point to its k-th nearest neighbour in the same set (the
    /// point itself not counted).
    ///
    /// - Parameters:
    ///   - points: `[N, d]`, N > k.
    ///   - k: The neighbour rank, ≥ 1.
    /// - Returns: N squared radii.
    public static func nearestNeighbourRadii(_ points: Tensor, k: Int) -> [Float] {
        precondition(points.rank == 2 && k >= 1 && points.shape[0] > k,
                     "PrecisionRecall.nearestNeighbourRadii: need [N, d] with N > k = \(k), got \(points.shape)")
        var radii = [Float](repeating: 0, count: points.shape[0])
        forEachBlockOfSquaredDistances(points, points) { row, distances in
            // The k + 1 smallest, the point itself (distance ≈ 0) included, by insertion.
            var smallest = [Float](repeating: .infinity, count: k + 1)
            for d in distances where d < smallest[k] {
                var i = k
                while i > 0 && smallest[i - 1] > d {
                    smallest[i] = smallest[i - 1]
                    i -= 1
                }
                smallest[i] = d
            }
            radii[row] = smallest[k]
        }
        return radii
    }

    /// The share of `points` within some ball of the manifold (distance² ≤ radius²).
    ///
    /// - Parameters:
    ///   - points: `[M, d]` query points.
    ///   - manifold: `[N, d]` ball centres.
    ///   - squaredRadii: N squared radii, from ``nearestNeighbourRadii(_:k:)``.
    /// - Returns: A share in [0, 1].
    public static func shareInside(_ points: Tensor, manifold: Tensor, squaredRadii: [Float]) -> Double {
        precondition(squaredRadii.count == manifold.shape[0],
                     "PrecisionRecall.shareInside: \(squaredRadii.count) radii for \(manifold.shape[0]) centres")
        guard points.shape[0] > 0 else { return 0 }
        var inside = 0
        squaredRadii.withUnsafeBufferPointer { radii in
            forEachBlockOfSquaredDistances(points, manifold) { _, distances in
                for j in 0..<distances.count where distances[j] <= radii[j] {
                    inside += 1
                    break
                }
            }
        }
        return Double(inside) / Double(points.shape[0])
    }

    /// Calls `body(i, ‖aᵢ − bⱼ‖² for all j)` for every row i of `a`, in blocks of rows whose
    /// distances come from one matrix product. Squared distances are clamped at 0.
    static func forEachBlockOfSquaredDistances(_ a: Tensor, _ b: Tensor,
                                               _ body: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let (na, nb) = (a.shape[0], b.shape[0])
        guard na > 0 && nb > 0 else { return }
        // Centre both on b's mean: the norms shrink and so does the cancellation in ‖a‖² + ‖b‖² − 2a·b.
        let centre = b.mean(axis: 0, keepDims: true)
        let (ca, cb) = withNoGrad { (a - centre, b - centre) }
        let normsA = (ca * ca).sum(axis: 1).scalars, normsB = (cb * cb).sum(axis: 1).scalars
        let bT = cb.transposed()
        let blockRows = Swift.max(1, (1 << 23) / nb)
        var row = 0
        var distances = [Float](repeating: 0, count: nb)
        while row < na {
            let end = Swift.min(na, row + blockRows)
            let dots = withNoGrad { ca.sliced(axis: 0, row..<end).matmul(bT) }
            dots.withUnsafeBufferPointer { p in
                for i in 0..<(end - row) {
                    let ni = normsA[row + i]
                    for j in 0..<nb { distances[j] = Swift.max(0, ni + normsB[j] - 2 * p[i * nb + j]) }
                    distances.withUnsafeBufferPointer { body(row + i, $0) }
                }
            }
            row = end
        }
    }
}
