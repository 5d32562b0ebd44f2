import Foundation
import MirageTensor

/// Lower bounds on log p(x) for latent-variable models, from importance log-weights
/// log wᵢ = log p(x, zᵢ) − log q(zᵢ | x) with zᵢ ~ q(z | x).
///
/// The importance-weighted bound (IWAE) is L_k = log (1/k) Σᵢ wᵢ, computed with a stable
/// log-sum-exp. k = 1 gives the ELBO. In expectation L_k ≤ L_{k+1} ≤ log p(x), and L_k → log p(x)
/// as k → ∞ for any proposal q that covers the posterior; when q is the true posterior every
/// weight equals p(x) and the bound is exact for every k. Papers report test NLL as −L_k with
/// k = 5000 (IWAE) or k = 1000 (Mirage's benchmarks), in nats.
///
/// The functions are model-agnostic: a model computes its log-weights (with whatever decoder
/// and prior it has) and passes them here.
///
/// ```swift
/// // logWeights[i, n] = log p(x_n, z_i) − log q(z_i | x_n), z_i ~ q(z | x_n)
/// let bound = ImportanceWeightedBound.estimate(logWeights: logWeights)   // [N]
/// let nll = -bound.mean().item                                           // nats per example
/// ```
///
/// - SeeAlso: Burda, Grosse & Salakhutdinov, "Importance Weighted Autoencoders", 2016,
///   <https://arxiv.org/abs/1509.00519>; Kingma & Welling, "Auto-Encoding Variational Bayes",
///   2014, <https://arxiv.org/abs/1312.6114>
public enum ImportanceWeightedBound {
    /// The importance-weighted bound log (1/k) Σᵢ exp(log wᵢ) for every example.
    ///
    /// Differentiable (it is a log-sum-exp of tensor ops), so it can also be a training loss.
    /// A column of −∞ weights (a sample the model deems impossible) gives −∞, not NaN.
    ///
    /// ## Shape
    /// `logWeights`: `[k, N]` (k draws for each of N examples); result `[N]`.
    ///
    /// - Parameter logWeights: log p(x, z) − log q(z | x) for k draws per example, in nats.
    /// - Returns: L_k per example, in nats.
    public static func estimate(logWeights: Tensor) -> Tensor {
        precondition(logWeights.rank == 2 && logWeights.shape[0] >= 1,
                     "ImportanceWeightedBound.estimate: expected log-weights [k, N] with k ≥ 1, got shape \(logWeights.shape)")
        return logWeights.logSumExp(axis: 0) - Float(log(Double(logWeights.shape[0])))
    }

    /// The evidence lower bound E_q[log w], estimated by the mean of the k single-draw bounds.
    ///
    /// Its expectation is L_1, the loosest of the importance-weighted bounds; averaging over k
    /// draws only lowers its variance.
    ///
    /// ## Shape
    /// `logWeights`: `[k, N]`; result `[N]`.
    ///
    /// - Parameter logWeights: log p(x, z) − log q(z | x) for k draws per example, in nats.
    /// - Returns: The ELBO estimate per example, in nats.
    public static func elbo(logWeights: Tensor) -> Tensor {
        precondition(logWeights.rank == 2 && logWeights.shape[0] >= 1,
                     "ImportanceWeightedBound.elbo: expected log-weights [k, N] with k ≥ 1, got shape \(logWeights.shape)")
        return logWeights.mean(axis: 0)
    }

    /// Accumulates log-weights in chunks of draws, in Double, so that k = 1000 or 5000 draws
    /// for a whole test set never have to sit in memory at once.
    ///
    /// ```swift
    /// var total = ImportanceWeightedBound.Accumulator(examples: x.shape[0])
    /// for _ in 0..<50 { total.add(logWeights: model.logWeights(x, draws: 20)) }   // k = 1000
    /// let bounds = total.bounds                                                   // [Double], N
    /// ```
    public struct Accumulator: Sendable {
        /// The running maximum log-weight per example.
        private var maxima: [Double]
        /// Σ exp(log w − maximum) per example.
        private var scaledSums: [Double]
        /// Draws added so far.
        public private(set) var draws = 0

        /// Starts an empty accumulator.
        ///
        /// - Parameter examples: N, the number of examples each chunk covers.
        public init(examples: Int) {
            precondition(examples >= 0, "ImportanceWeightedBound.Accumulator: negative example count \(examples)")
            maxima = [Double](repeating: -.infinity, count: examples)
            scaledSums = [Double](repeating: 0, count: examples)
        }

        /// Adds a chunk of draws.
        ///
        /// - Parameter logWeights: `[m, N]` log-weights for m more draws per example.
        public mutating func add(logWeights: Tensor) {
            let n = maxima.count
            precondition(logWeights.rank == 2 && logWeights.shape[1] == n,
                         "ImportanceWeightedBound.Accumulator.add: expected log-weights [m, \(n)], got shape \(logWeights.shape)")
            let m = logWeights.shape[0]
            logWeights.withUnsafeBufferPointer { w in
                for j in 0..<n {
                    var chunkMax = -Double.infinity
                    for i in 0..<m { chunkMax = Swift.max(chunkMax, Double(w[i * n + j])) }
                    guard chunkMax > -.infinity else { continue }
                    if chunkMax > maxima[j] {
                        scaledSums[j] *= exp(maxima[j] - chunkMax)
                        maxima[j] = chunkMax
                    }
                    for i in 0..<m { scaledSums[j] += exp(Double(w[i * n + j]) - maxima[j]) }
                }
            }
            draws += m
        }

        /// L_k per example for the k draws added so far (−∞ for an example whose every
        /// weight was 0).
        public var bounds: [Double] {
            precondition(draws > 0, "ImportanceWeightedBound.Accumulator.bounds: no draws added yet")
            return zip(maxima, scaledSums).map { $0 + log($1) - log(Double(draws)) }
        }
    }
}
