import MirageData
import MirageTensor

/// The batches one training step receives, as the model's ``DataRequirement`` asked for them.
///
/// - images: ``batches`` holds `batchesPerStep` batches; ``images`` and ``labels`` are the first.
/// - pairs: each batch holds A's channels then B's (so crops and flips move both together);
///   ``pair(_:)`` splits one into A and B.
/// - two domains: ``batches`` are domain A's, ``batchesB`` domain B's, each shuffled on its own.
/// - points: each batch's `images` are `[B, 2]` points and its labels zeros.
///
/// ```swift
/// func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
///     for critic in input.batches { … }              // a WGAN's critic steps
///     let (edges, digits) = input.pair()             // pix2pix
/// }
/// ```
public struct StepInput {
    /// The batches of the main stream (domain A for two domains).
    public var batches: [Batch]
    /// Domain B's batches, for two unpaired domains; empty otherwise.
    public var batchesB: [Batch]
    /// Channels of A and B in a stacked pair; `nil` unless the data are pairs.
    public var pairChannels: (a: Int, b: Int)?

    public init(batches: [Batch], batchesB: [Batch] = [], pairChannels: (a: Int, b: Int)? = nil) {
        precondition(!batches.isEmpty, "StepInput: a step needs at least one batch")
        self.batches = batches
        self.batchesB = batchesB
        self.pairChannels = pairChannels
    }

    /// One batch of images (or points) without labels that matter, for tests and benchmarks.
    public init(images: Tensor, labels: Tensor? = nil) {
        let n = images.shape[0]
        self.init(batches: [Batch(images: images, labels: labels ?? Tensor.zeros([n]), indices: Array(0..<n))])
    }

    /// The first batch's images.
    public var images: Tensor { batches[0].images }
    /// The first batch's labels.
    public var labels: Tensor { batches[0].labels }

    /// Batch `index` of a paired step, split into its A and B images.
    public func pair(_ index: Int = 0) -> (a: Tensor, b: Tensor) {
        guard let (ca, cb) = pairChannels else { preconditionFailure("StepInput.pair: this step's data are not pairs") }
        let parts = batches[index].images.split(sizes: [ca, cb], axis: 1)
        return (parts[0], parts[1])
    }
}
