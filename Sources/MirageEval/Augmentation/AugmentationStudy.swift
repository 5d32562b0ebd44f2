import Foundation
import MirageData
import MirageNN
import MirageTensor

/// Does training on a generator's labelled samples help a classifier that has few real labels?
/// The data-augmentation measurement of `mirage eval augment`.
///
/// A classifier with the judge's architecture (``MNISTJudge``, trained by ``JudgeTrainer``) learns
/// from N labelled real images, once without and once with K synthetic labelled images, and is
/// scored on the whole test set; both arms repeat over several seeds (the classifier's weights,
/// visiting order and dropout, and the synthetic draw).
///
/// Both arms see the same number of images per epoch, 2·max(K, N), so they take the same number
/// of steps on the same schedule: without synthetic images the real ones are repeated to fill it;
/// with them, the real ones are repeated to fill half of it (so real and synthetic images are
/// seen equally often, rather than the few real ones drowning in the synthetic ones) and the
/// synthetic images fill the rest.
///
/// ```swift
/// let labelled = train.subset(Array(0..<100))
/// let result = AugmentationStudy.run(labelled: labelled, test: test, seeds: [0, 1, 2]) { seed in
///     syntheticImages(seed)                       // 10,000 labelled samples of a conditional model
/// }
/// print(result.gain)                              // mean accuracy with − without
/// ```
public enum AugmentationStudy {
    /// The accuracies of both arms, one per seed.
    public struct Result: Sendable {
        public var seeds: [UInt64]
        /// Test accuracy trained on the real images alone.
        public var withoutSynthetic: [Double]
        /// Test accuracy trained on the real and the synthetic images.
        public var withSynthetic: [Double]

        /// Mean accuracy with synthetic images minus without, in [−1, 1].
        public var gain: Double { Self.mean(withSynthetic) - Self.mean(withoutSynthetic) }

        /// The mean of `values` (0 for none).
        public static func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

        /// The sample standard deviation of `values` (0 for fewer than two).
        public static func standardDeviation(_ values: [Double]) -> Double {
            guard values.count > 1 else { return 0 }
            let m = mean(values)
            return (values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }
    }

    /// The training set of one arm: `real` repeated to fill `size` images (half of it when
    /// `synthetic` is given), followed by `synthetic`.
    ///
    /// - Parameters:
    ///   - real: The labelled real images.
    ///   - synthetic: Labelled synthetic images of the same shape and classes, or `nil`.
    ///   - size: Images per epoch (at least `real.count`, and `2·synthetic.count` with synthetic ones).
    public static func trainingSet(real: ImageDataset, synthetic: ImageDataset?, size: Int) -> ImageDataset {
        let realShare = synthetic == nil ? size : size - synthetic!.count
        precondition(real.count > 0 && realShare >= real.count,
                     "AugmentationStudy.trainingSet: \(size) images cannot hold \(real.count) real ones and \(synthetic?.count ?? 0) synthetic ones")
        var set = real.subset((0..<realShare).map { $0 % real.count })
        if let synthetic { set = set.appending(synthetic) }
        return set
    }

    /// Trains both arms for every seed.
    ///
    /// - Parameters:
    ///   - labelled: The N real labelled images, `[1, 28, 28]` in 10 classes.
    ///   - test: The images to score the classifiers on.
    ///   - seeds: One classifier (and one synthetic draw) per arm per seed.
    ///   - options: The classifier's training (its seed is replaced by each of `seeds`).
    ///   - log: Receives one line per finished classifier.
    ///   - synthetic: The synthetic labelled images of a seed (the same count for every seed).
    public static func run(labelled: ImageDataset, test: ImageDataset, seeds: [UInt64],
                           options: JudgeTrainer.Options = JudgeTrainer.Options(), log: (String) -> Void = { _ in },
                           synthetic: (UInt64) -> ImageDataset) -> Result {
        var result = Result(seeds: seeds, withoutSynthetic: [], withSynthetic: [])
        for seed in seeds {
            let extra = synthetic(seed)
            let size = 2 * Swift.max(extra.count, labelled.count)
            var o = options
            o.seed = seed
            for withExtra in [false, true] {
                let set = trainingSet(real: labelled, synthetic: withExtra ? extra : nil, size: size)
                let (_, summary) = JudgeTrainer.train(trainingSet: set, testSet: test, options: o)
                if withExtra { result.withSynthetic.append(summary.testAccuracy) } else { result.withoutSynthetic.append(summary.testAccuracy) }
                log(String(format: "seed %llu, %@: test accuracy %.2f%% (%.0f s)", seed,
                           withExtra ? "with \(extra.count) synthetic" : "real only", 100 * summary.testAccuracy, summary.trainingSeconds))
            }
        }
        return result
    }
}
