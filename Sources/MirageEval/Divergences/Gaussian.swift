import MirageTensor

/// A multivariate normal distribution N(μ, Σ) held in Double: the summary of a feature cloud that
/// the Fréchet distance compares, and one side of the closed-form Gaussian KL divergence.
///
/// ```swift
/// let features = judge.features(images)              // [N, 128]
/// let g = Gaussian(fitting: features)                // sample mean, unbiased covariance
/// print(g.dimension, g.covariance.trace)
/// let standard = Gaussian(mean: [0, 0], covariance: .identity(2))
/// ```
///
/// ### See Also
/// - ``FrechetDistance``
/// - ``KLDivergence/gaussians(_:_:)``
public struct Gaussian: Equatable, Sendable {
    /// The mean μ.
    public var mean: [Double]
    /// The covariance Σ, symmetric positive semi-definite.
    public var covariance: Matrix

    /// Creates a Gaussian from its parameters.
    ///
    /// - Parameters:
    ///   - mean: The mean, of length d.
    ///   - covariance: A symmetric d×d covariance.
    public init(mean: [Double], covariance: Matrix) {
        precondition(covariance.rows == mean.count && covariance.columns == mean.count,
                     "Gaussian: mean of length \(mean.count) with a \(covariance.rows)×\(covariance.columns) covariance")
        self.mean = mean
        self.covariance = covariance
    }

    /// Fits a Gaussian to samples by their mean and unbiased covariance (divided by N − 1, like
    /// `numpy.cov(x, rowvar=False)`), accumulated in Double.
    ///
    /// - Parameter samples: A tensor of shape `[N, d]` with N ≥ 2.
    public init(fitting samples: Tensor) {
        precondition(samples.rank == 2 && samples.shape[0] >= 2,
                     "Gaussian(fitting:): expected samples [N, d] with N ≥ 2, got shape \(samples.shape)")
        var fit = Accumulator(dimension: samples.shape[1])
        fit.add(samples)
        self = fit.gaussian
    }

    /// The number of dimensions d.
    public var dimension: Int { mean.count }
}
