import Foundation

/// Converts likelihoods between nats per example and bits per dimension, the unit image
/// likelihood papers report.
///
/// Pixel values are discrete (256 levels), so a continuous density on them is only comparable
/// after dequantisation: adding uniform noise to `x ∈ {0, …, 255}` and rescaling by 1/256 (or to
/// [0, 1] by 1/256) makes `−log p(x)` of the continuous model an upper bound on the discrete
/// model's, once the Jacobian of the rescaling, `D·log 256`, is added back (Theis et al., 2016).
///
/// ```swift
/// // A flow on [0, 1]-scaled, dequantised 28×28 images with test NLL 1000 nats:
/// let bpd = BitsPerDimension.fromNats(1000, dimensions: 784, scaledBy: 256) // ≈ 9.84 bits/dim
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1511.01844>
public enum BitsPerDimension {
    /// Bits per dimension of a negative log-likelihood given in nats per example.
    ///
    /// - Parameters:
    ///   - nats: −log p(x) per example, in nats, of the model's density on the scaled data.
    ///   - dimensions: Number of dimensions per example (784 for MNIST).
    ///   - scale: The factor by which the integer pixel values were divided before modelling
    ///     (256 for data in [0, 1) after uniform dequantisation; 1 if modelled on the integer
    ///     scale). Its log per dimension is added, which turns a density on the scaled data into
    ///     one on the 0…255 scale.
    public static func fromNats(_ nats: Double, dimensions: Int, scaledBy scale: Double = 1) -> Double {
        precondition(dimensions > 0, "BitsPerDimension: dimensions must be positive")
        precondition(scale > 0, "BitsPerDimension: scale must be positive")
        return (nats / Double(dimensions) + log(scale)) / log(2.0)
    }

    /// The inverse of ``fromNats(_:dimensions:scaledBy:)``.
    public static func toNats(_ bitsPerDimension: Double, dimensions: Int, scaledBy scale: Double = 1) -> Double {
        precondition(dimensions > 0, "BitsPerDimension: dimensions must be positive")
        return (bitsPerDimension * log(2.0) - log(scale)) * Double(dimensions)
    }
}
