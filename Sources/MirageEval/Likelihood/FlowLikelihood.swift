import Foundation
import MirageTensor

/// Exact negative log-likelihood for normalising flows, by the change of variables
/// log p(x) = log p_Z(f(x)) + log |det ∂f/∂x|.
///
/// A flow maps data x to a latent z = f(x) with a tractable base density p_Z (a standard
/// normal here) and reports the log-determinant of its Jacobian; these helpers turn the two into
/// −log p(x) per example, and into bits per dimension. Unlike ``ImportanceWeightedBound`` the
/// value is exact, not a bound. On discrete pixels it is only meaningful after dequantisation
/// (see ``BitsPerDimension``): a continuous density can otherwise grow without bound on the
/// 256 pixel values, and the NLL saturates at −∞.
///
/// ```swift
/// let (z, logDet) = flow.forward(x)                          // z: [N, 784], logDet: [N]
/// let nll = FlowLikelihood.negativeLogLikelihood(z: z, logDeterminant: logDet)   // [N], nats
/// let bpd = FlowLikelihood.bitsPerDimension(negativeLogLikelihood: nll, dimensions: 784,
///                                           scaledBy: 256)
/// ```
///
/// - SeeAlso: Dinh, Sohl-Dickstein & Bengio, "Density estimation using Real NVP", 2017,
///   <https://arxiv.org/abs/1605.08803>; Papamakarios et al., "Normalizing Flows for
///   Probabilistic Modeling and Inference", 2021, <https://arxiv.org/abs/1912.02762>
public enum FlowLikelihood {
    /// log N(z; 0, I) summed over every axis but the first: −½‖z‖² − (D/2)·log 2π.
    ///
    /// ## Shape
    /// `z`: `[N, …]` with D elements per example; result `[N]`.
    ///
    /// - Parameter z: Latent codes.
    /// - Returns: The log-density per example, in nats (differentiable).
    public static func standardNormalLogDensity(_ z: Tensor) -> Tensor {
        precondition(z.rank >= 1, "FlowLikelihood.standardNormalLogDensity: expected [N, …], got a scalar")
        let flat = z.reshaped([z.shape[0], -1])
        let d = Double(flat.shape[1])
        return (flat * flat).sum(axis: 1) * -0.5 - Float(0.5 * d * log(2 * Double.pi))
    }

    /// log N(z; μ, diag(σ²)) summed over every axis but the first, for the learned Gaussian
    /// priors of multi-scale flows (Glow), with σ given by its log.
    ///
    /// ## Shape
    /// `z`, `mean`, `logStd`: `[N, …]`, all the same shape; result `[N]`.
    public static func gaussianLogDensity(_ z: Tensor, mean: Tensor, logStd: Tensor) -> Tensor {
        precondition(z.rank >= 1 && z.shape == mean.shape && z.shape == logStd.shape,
                     "FlowLikelihood.gaussianLogDensity: z \(z.shape), mean \(mean.shape) and logStd \(logStd.shape) must match")
        let standardized = (z - mean) * (-logStd).exp()
        let perEntry = standardized * standardized * -0.5 - logStd - Float(0.5 * log(2 * Double.pi))
        return perEntry.reshaped([z.shape[0], -1]).sum(axis: 1)
    }

    /// −log p(x) = −(log p_Z(z) + log |det ∂z/∂x|) with a standard normal base density.
    ///
    /// ## Shape
    /// `z`: `[N, …]`; `logDeterminant`: `[N]`; result `[N]`.
    ///
    /// - Parameters:
    ///   - z: f(x), the flow's output.
    ///   - logDeterminant: log |det ∂f/∂x| per example, summed over the flow's layers.
    /// - Returns: The negative log-likelihood per example, in nats (differentiable: the loss
    ///   a flow trains on).
    public static func negativeLogLikelihood(z: Tensor, logDeterminant: Tensor) -> Tensor {
        precondition(z.rank >= 1 && logDeterminant.shape == [z.shape[0]],
                     "FlowLikelihood.negativeLogLikelihood: z has shape \(z.shape), logDeterminant \(logDeterminant.shape); expected [N, …] and [N]")
        return -(standardNormalLogDensity(z) + logDeterminant)
    }

    /// The mean of per-example NLLs in bits per dimension (see
    /// ``BitsPerDimension/fromNats(_:dimensions:scaledBy:)``), averaged in Double.
    ///
    /// - Parameters:
    ///   - negativeLogLikelihood: `[N]` values in nats.
    ///   - dimensions: D, the number of dimensions per example.
    ///   - scale: The factor by which integer pixel values were divided (256 for dequantised
    ///     data in [0, 1)).
    /// - Returns: The mean in bits per dimension.
    public static func bitsPerDimension(negativeLogLikelihood: Tensor, dimensions: Int,
                                        scaledBy scale: Double = 1) -> Double {
        precondition(negativeLogLikelihood.rank == 1 && negativeLogLikelihood.count > 0,
                     "FlowLikelihood.bitsPerDimension: expected a non-empty [N] tensor, got shape \(negativeLogLikelihood.shape)")
        let mean = negativeLogLikelihood.scalars.reduce(0.0) { $0 + Double($1) } / Double(negativeLogLikelihood.count)
        return BitsPerDimension.fromNats(mean, dimensions: dimensions, scaledBy: scale)
    }
}
