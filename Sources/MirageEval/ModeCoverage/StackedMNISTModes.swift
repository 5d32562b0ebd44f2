import MirageData
import MirageTensor

/// Mode coverage on Stacked MNIST (Metz et al., 2017; VEEGAN; PacGAN), whose 1,000 modes are
/// the triples of digits in its three channels: the judge reads each channel of each sample as a
/// digit, the triple `100·d₀ + 10·d₁ + d₂` is the sample's mode, and a mode is captured when at
/// least one sample falls in it. KL(mode histogram ‖ uniform) is over all samples, as the papers
/// report it (26,000 samples).
///
/// The report's ``ModeCoverage/Report/highQualityShare`` is here the share of samples whose three
/// digits the judge reads with probability at least ``confidence`` each: a blurry channel still
/// lands in some mode, so this says how many samples look like digits at all.
///
/// ```swift
/// let judge = try MNISTJudge.load()
/// let r = StackedMNISTModes.evaluate(samples: generated, judge: judge)   // generated: [26000, 3, 28, 28]
/// print(r.modesCaptured, r.klToUniform)                                  // modes with a sample (of 1,000), KL in nats
/// ```
public enum StackedMNISTModes {
    /// Number of modes: 10³.
    public static let modeCount = 1000
    /// The judge's probability each digit must reach for a sample to count as high quality.
    public static let confidence = 0.5

    /// The mode of each sample and whether the judge read all three of its digits confidently.
    ///
    /// - Parameters:
    ///   - samples: `[N, 3, 28, 28]` in [0, 1].
    ///   - judge: The MNIST classifier that reads each channel.
    public static func modes(of samples: Tensor, judge: MNISTJudge) -> (modes: [Int], confident: [Bool]) {
        precondition(samples.rank == 4 && Array(samples.shape.dropFirst()) == [3, 28, 28],
                     "StackedMNISTModes: expected samples [N, 3, 28, 28], got \(samples.shape)")
        let n = samples.shape[0]
        // [N, 3, 28, 28] → [3N, 1, 28, 28]: channel c of sample i is image 3i + c.
        let probabilities = judge.evaluate(samples.reshaped([3 * n, 1, 28, 28])).probabilities
        let classes = probabilities.argmax(axis: 1).scalars, best = probabilities.max(axis: 1).scalars
        var modes = [Int](repeating: 0, count: n), confident = [Bool](repeating: true, count: n)
        for i in 0..<n {
            for c in 0..<3 {
                modes[i] = modes[i] * 10 + Int(classes[3 * i + c])
                if Double(best[3 * i + c]) < confidence { confident[i] = false }
            }
        }
        return (modes, confident)
    }

    /// Modes captured (at least one sample), the share of confidently read samples, the
    /// 1,000-bin histogram and its KL divergence to uniform.
    ///
    /// - Parameters:
    ///   - samples: `[N, 3, 28, 28]` in [0, 1], N ≥ 1.
    ///   - judge: The MNIST classifier.
    public static func evaluate(samples: Tensor, judge: MNISTJudge) -> ModeCoverage.Report {
        let (modes, confident) = Self.modes(of: samples, judge: judge)
        precondition(!modes.isEmpty, "StackedMNISTModes: no samples")
        var histogram = [Int](repeating: 0, count: modeCount)
        for m in modes { histogram[m] += 1 }
        return ModeCoverage.Report(modesCaptured: histogram.filter { $0 > 0 }.count, modeCount: modeCount,
                                   highQualityShare: Double(confident.filter { $0 }.count) / Double(modes.count),
                                   modeHistogram: histogram, klToUniform: KLDivergence.toUniform(histogram))
    }
}
