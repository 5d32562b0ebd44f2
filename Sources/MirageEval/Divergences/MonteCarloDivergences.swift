import Foundation
import MirageTensor

/// A Monte Carlo estimate: the sample mean of N terms and its standard error (the standard
/// deviation of the terms over √N).
///
/// A correct estimator lands within a few standard errors of the true value; report both.
public struct MonteCarloEstimate: Equatable, Sendable, CustomStringConvertible {
    /// The estimate.
    public var value: Double
    /// Its standard error.
    public var standardError: Double
    /// Number of terms averaged.
    public var count: Int

    /// Creates an estimate from its parts.
    ///
    /// - Parameters:
    ///   - value: The estimate.
    ///   - standardError: Its standard error.
    ///   - count: Number of terms behind it.
    public init(value: Double, standardError: Double, count: Int) {
        self.value = value
        self.standardError = standardError
        self.count = count
    }

    /// Averages `terms` in Double.
    ///
    /// - Parameter terms: At least one value.
    public init(terms: [Double]) {
        precondition(!terms.isEmpty, "MonteCarloEstimate: no terms")
        let n = Double(terms.count)
        let mean = terms.reduce(0, +) / n
        let variance = terms.count > 1 ? terms.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1) : 0
        value = mean
        standardError = (variance / n).squareRoot()
        count = terms.count
    }

    /// The estimate and its standard error, `1.02 ± 0.01`.
    public var description: String { String(format: "%.6g ± %.2g", value, standardError) }
}

extension KLDivergence {
    /// A Monte Carlo estimate of KL(p ‖ q) = E_p[log p(x) − log q(x)] from samples of p and
    /// both log-densities: for any pair of distributions with densities, e.g. a flow against a
    /// Gaussian, or two Gaussians where the closed form is available as a check.
    ///
    /// The estimate is unbiased, but its variance is large when q is much narrower than p (the
    /// log-ratio is heavy-tailed), and it is +∞ in the limit where q vanishes on p's support.
    ///
    /// ```swift
    /// let x = Tensor.randn([10_000, 2], generator: RandomGenerator(seed: 0))    // x ~ p = N(0, I)
    /// let kl = KLDivergence.monteCarlo(samples: x,
    ///                                  logP: { FlowLikelihood.standardNormalLogDensity($0) },
    ///                                  logQ: { FlowLikelihood.standardNormalLogDensity($0 - 1) })
    /// print(kl)                                                                  // ≈ 1.0 ± 0.01
    /// ```
    ///
    /// - Parameters:
    ///   - samples: `[N, …]` draws from p.
    ///   - logP: log p of a batch, one value per sample (`[N]`).
    ///   - logQ: log q of a batch, one value per sample (`[N]`).
    /// - Returns: The estimate in nats with its standard error.
    public static func monteCarlo(samples: Tensor, logP: (Tensor) -> Tensor,
                                  logQ: (Tensor) -> Tensor) -> MonteCarloEstimate {
        let n = samples.shape.first ?? 0
        let (lp, lq) = withNoGrad { (logP(samples), logQ(samples)) }
        precondition(lp.shape == [n] && lq.shape == [n],
                     "KLDivergence.monteCarlo: log-densities have shapes \(lp.shape) and \(lq.shape), expected [\(n)]")
        return MonteCarloEstimate(terms: zip(lp.scalars, lq.scalars).map { Double($0) - Double($1) })
    }
}

extension JensenShannonDivergence {
    /// A **Monte Carlo** estimate of JS(p, q) for distributions with densities, which has no
    /// closed form even between two Gaussians:
    /// ½E_p[log p − log m] + ½E_q[log q − log m], with log m = log ½(p + q) computed stably.
    ///
    /// Every term is bounded by log 2, so the estimate has bounded variance and stays in
    /// [0, log 2] (up to the standard error) however little the supports overlap.
    ///
    /// ```swift
    /// let js = JensenShannonDivergence.monteCarlo(samplesP: xp, samplesQ: xq,
    ///                                             logP: p.logDensity, logQ: q.logDensity)
    /// ```
    ///
    /// - Parameters:
    ///   - samplesP: `[N, …]` draws from p.
    ///   - samplesQ: `[M, …]` draws from q.
    ///   - logP: log p of a batch, one value per sample.
    ///   - logQ: log q of a batch, one value per sample.
    /// - Returns: The estimate in nats with its standard error (the two halves' errors combined).
    public static func monteCarlo(samplesP: Tensor, samplesQ: Tensor, logP: (Tensor) -> Tensor,
                                  logQ: (Tensor) -> Tensor) -> MonteCarloEstimate {
        func half(_ x: Tensor, own: (Tensor) -> Tensor, other: (Tensor) -> Tensor) -> MonteCarloEstimate {
            let n = x.shape.first ?? 0
            let (a, b) = withNoGrad { (own(x), other(x)) }
            precondition(a.shape == [n] && b.shape == [n],
                         "JensenShannonDivergence.monteCarlo: log-densities have shapes \(a.shape) and \(b.shape), expected [\(n)]")
            return MonteCarloEstimate(terms: zip(a.scalars, b.scalars).map { la, lb in
                let (la, lb) = (Double(la), Double(lb))
                let hi = Swift.max(la, lb)
                let logM = hi + log((exp(la - hi) + exp(lb - hi)) / 2)
                return la - logM
            })
        }
        let fromP = half(samplesP, own: logP, other: logQ)
        let fromQ = half(samplesQ, own: logQ, other: logP)
        let error = (fromP.standardError * fromP.standardError + fromQ.standardError * fromQ.standardError).squareRoot()
        return MonteCarloEstimate(value: (fromP.value + fromQ.value) / 2, standardError: error / 2,
                                  count: fromP.count + fromQ.count)
    }
}
