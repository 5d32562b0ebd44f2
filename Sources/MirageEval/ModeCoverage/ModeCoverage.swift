import MirageData
import MirageTensor

/// Mode coverage of 2-D samples on a mixture of Gaussians with known centres, by the protocol
/// of VEEGAN and PacGAN (as their published code implements it): the standard measure of mode
/// collapse.
///
/// Each sample is assigned to its nearest mode by σ-normalised distance ‖x − μ‖/σ; it is
/// **high quality** when that distance is below 3 (within 3σ). A mode is **captured** when its
/// high-quality samples reach the ``CaptureRule``: by default at least one, as in VEEGAN and
/// PacGAN; ``CaptureRule/atLeastShare(_:)`` asks for a share of all samples instead, which is
/// stricter and ignores stray samples. Reported: modes captured, the share of high-quality
/// samples, and KL(mode histogram ‖ uniform) over the high-quality samples.
///
/// The mode count saturates at the number of modes as soon as each gets one good sample, so it
/// says nothing about balance; the KL does (0 for balanced modes, log K when all samples sit in
/// one mode). With no high-quality sample at all the histogram is empty and the KL is reported
/// as +∞. Average over several seeds, as the papers do.
///
/// ```swift
/// let grid = GaussianMixture2D.grid25()                      // σ = 0.05 at {−4, −2, 0, 2, 4}²
/// let x = generator.sample(count: 2500)                     // [2500, 2]
/// let r = ModeCoverage.evaluate(samples: x, mixture: grid)
/// print(r.modesCaptured, r.highQualityShare, r.klToUniform)
/// ```
///
/// - SeeAlso: Srivastava et al., "VEEGAN: Reducing Mode Collapse in GANs using Implicit
///   Variational Learning", 2017, <https://arxiv.org/abs/1705.07761>; Lin et al., "PacGAN: The
///   power of two samples in generative adversarial networks", 2018,
///   <https://arxiv.org/abs/1712.04086>
public enum ModeCoverage {
    /// When a mode counts as captured.
    public enum CaptureRule: Equatable, Sendable {
        /// At least this many high-quality samples (VEEGAN and PacGAN use 1).
        case atLeast(samples: Int)
        /// High-quality samples making up at least this share of all samples drawn.
        case atLeastShare(Double)
    }

    /// The protocol's numbers for one set of samples.
    public struct Report: Equatable, Sendable {
        /// Modes meeting the capture rule.
        public var modesCaptured: Int
        /// Number of modes in the mixture.
        public var modeCount: Int
        /// Share of samples within `highQualityRadius`·σ of their nearest mode.
        public var highQualityShare: Double
        /// High-quality samples per mode.
        public var modeHistogram: [Int]
        /// KL(``modeHistogram`` ‖ uniform) in nats; +∞ when there are no high-quality samples.
        public var klToUniform: Double
    }

    /// Evaluates samples against modes given by their centres.
    ///
    /// - Parameters:
    ///   - samples: `[N, 2]` points, N ≥ 1.
    ///   - modes: The mode centres.
    ///   - sigma: The modes' common standard deviation (> 0).
    ///   - highQualityRadius: The σ-normalised distance below which a sample is high quality (3).
    ///   - rule: When a mode is captured (default: at least one high-quality sample).
    /// - Returns: The report.
    public static func evaluate(samples: Tensor, modes: [SIMD2<Double>], sigma: Double, highQualityRadius: Double = 3,
                                rule: CaptureRule = .atLeast(samples: 1)) -> Report {
        precondition(samples.rank == 2 && samples.shape[1] == 2 && samples.shape[0] > 0,
                     "ModeCoverage: expected samples [N, 2] with N ≥ 1, got shape \(samples.shape)")
        precondition(!modes.isEmpty && sigma > 0 && highQualityRadius > 0,
                     "ModeCoverage: need at least one mode, sigma > 0 and a positive radius (got \(modes.count), \(sigma), \(highQualityRadius))")
        let n = samples.shape[0]
        var histogram = [Int](repeating: 0, count: modes.count)
        samples.withUnsafeBufferPointer { x in
            for i in 0..<n {
                let p = SIMD2(Double(x[2 * i]), Double(x[2 * i + 1]))
                var best = 0, bestDistance = Double.infinity
                for (k, m) in modes.enumerated() {
                    let d = ((p - m) * (p - m)).sum()
                    if d < bestDistance { (best, bestDistance) = (k, d) }
                }
                if bestDistance.squareRoot() / sigma < highQualityRadius { histogram[best] += 1 }
            }
        }
        let good = histogram.reduce(0, +)
        let captured: Int
        switch rule {
        case let .atLeast(samples: m): captured = histogram.filter { $0 >= m }.count
        case let .atLeastShare(s): captured = histogram.filter { $0 > 0 && Double($0) >= s * Double(n) }.count
        }
        return Report(modesCaptured: captured, modeCount: modes.count, highQualityShare: Double(good) / Double(n),
                      modeHistogram: histogram, klToUniform: good == 0 ? .infinity : KLDivergence.toUniform(histogram))
    }

    /// Evaluates samples against one of MirageData's mixtures (`GaussianMixture2D`:
    /// `ring8()` with σ = 0.01, `grid25()` with σ = 0.05, the BENCHMARKS.md settings).
    ///
    /// - Parameters:
    ///   - samples: `[N, 2]` points.
    ///   - mixture: The mixture whose modes and σ to use.
    ///   - highQualityRadius: The σ-normalised distance below which a sample is high quality.
    ///   - rule: When a mode is captured.
    /// - Returns: The report.
    public static func evaluate(samples: Tensor, mixture: GaussianMixture2D, highQualityRadius: Double = 3,
                                rule: CaptureRule = .atLeast(samples: 1)) -> Report {
        evaluate(samples: samples, modes: mixture.modes.map { SIMD2(Double($0.x), Double($0.y)) },
                 sigma: Double(mixture.sigma), highQualityRadius: highQualityRadius, rule: rule)
    }
}
