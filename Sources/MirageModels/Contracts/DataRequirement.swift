import MirageData
import MirageNN

/// The kind of data a model trains on.
public enum DataShape: String, Codable, Sendable, CaseIterable {
    /// Images with their class labels (MNIST, CIFAR-10, Fashion-MNIST, a PNG folder, or domain A
    /// of a derived MNIST domain).
    case images
    /// Aligned pairs of images, A (the input) and B (the target): the derived MNIST domains, or a
    /// folder of A|B PNGs side by side (pix2pix).
    case pairs
    /// Two domains sampled apart, so no pairing leaks in: A and B of a derived MNIST domain, or a
    /// folder holding `trainA/` and `trainB/` (CycleGAN).
    case unpairedDomains = "unpaired-domains"
    /// Points of a 2-D toy distribution (`ring8`, `grid25`, `swissroll`, `moons`, `circles`).
    case points

    /// What it is, for messages: "images", "aligned image pairs", …
    public var phrase: String {
        switch self {
        case .images: return "images"
        case .pairs: return "aligned image pairs"
        case .unpairedDomains: return "two unpaired image domains"
        case .points: return "2-D points"
        }
    }
}

/// What one training step of a model consumes, and how the trainer prepares it.
///
/// ```swift
/// // A WGAN critic: five fresh batches per generator step, pixels in [-1, 1].
/// DataRequirement(batchesPerStep: 5, range: -1...1)
/// // pix2pix on image folders: aligned pairs, pad-and-crop jitter and flips.
/// DataRequirement(shape: .pairs, range: -1...1, cropPadding: 2, horizontalFlip: true)
/// ```
public struct DataRequirement: Sendable, Equatable {
    /// Images, pairs, two domains or points.
    public var shape: DataShape
    /// Batches of each stream one step consumes (a WGAN critic takes several).
    public var batchesPerStep: Int
    /// The range pixel values are scaled to: `0...1` or `-1...1`.
    public var range: ClosedRange<Float>
    /// Binarise each batch by drawing every pixel from a Bernoulli of its intensity (dynamic
    /// binarisation, for Bernoulli decoders).
    public var dynamicBinarization: Bool
    /// Random crops of the image zero-padded by this many pixels (0: none).
    public var cropPadding: Int
    /// Random left-right flips.
    public var horizontalFlip: Bool
    /// Whether the model uses class labels (a class-conditional model): a dataset with a single
    /// class, such as a PNG folder, is refused.
    public var needsLabels: Bool
    /// The smallest batch a step can take: 2 for networks with batch norm over `(N, C)`
    /// features, which has nothing to normalise in a batch of one.
    public var minimumBatchSize: Int

    public init(shape: DataShape = .images, batchesPerStep: Int = 1, range: ClosedRange<Float> = 0...1,
                dynamicBinarization: Bool = false, cropPadding: Int = 0, horizontalFlip: Bool = false,
                needsLabels: Bool = false, minimumBatchSize: Int = 1) {
        precondition(batchesPerStep > 0, "DataRequirement: batchesPerStep \(batchesPerStep) must be positive")
        precondition(range == 0...1 || range == -1...1, "DataRequirement: range \(range) is neither [0, 1] nor [-1, 1]")
        self.shape = shape
        self.batchesPerStep = batchesPerStep
        self.range = range
        self.dynamicBinarization = dynamicBinarization
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
        self.needsLabels = needsLabels
        self.minimumBatchSize = minimumBatchSize
    }

    /// The loader transform for training batches (with augmentation).
    public var trainingTransform: LoaderTransform {
        LoaderTransform(scaling: range == 0...1 ? .unit : .symmetric,
                        binarization: dynamicBinarization ? .dynamic : .none,
                        cropPadding: cropPadding, horizontalFlip: horizontalFlip)
    }
}

/// Where a training step stands in the run (what a schedule, linear decay or warm-up, needs) and
/// the ``Updater`` that turns its losses into updates.
public struct StepContext: Sendable {
    /// Steps completed before this one (0 for the first step).
    public var step: Int
    /// The epoch this step belongs to, from 0.
    public var epoch: Int
    /// Steps in one epoch.
    public var stepsPerEpoch: Int
    /// Steps the whole run takes.
    public var totalSteps: Int
    /// Applies the step's updates: the trainer's, or a plain one outside a trainer.
    public var updater: Updater
    /// This process's share of the step's batches in data-parallel training (``BatchShard/whole``
    /// in one process): what the step draws per example is drawn through it, for the global
    /// batch, so that the processes together take the single-process step.
    public var shard: BatchShard

    public init(step: Int, epoch: Int, stepsPerEpoch: Int, totalSteps: Int, updater: Updater = Updater(),
                shard: BatchShard = .whole) {
        self.step = step
        self.epoch = epoch
        self.stepsPerEpoch = stepsPerEpoch
        self.totalSteps = totalSteps
        self.updater = updater
        self.shard = shard
    }

    /// How far the run is, in [0, 1): `step / totalSteps`.
    public var progress: Double { totalSteps > 0 ? Double(step) / Double(totalSteps) : 0 }
}
