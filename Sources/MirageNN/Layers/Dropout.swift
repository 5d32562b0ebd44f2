import MirageTensor

/// Zeroes each element with probability `p` during training and scales the rest by 1/(1 − p),
/// like `torch.nn.Dropout`; the identity in evaluation mode.
///
/// - SeeAlso: <https://jmlr.org/papers/v15/srivastava14a.html>
public final class Dropout: Module, Layer {
    public let p: Float
    /// Source of the masks; seed it (or the global generator) for reproducible runs.
    public let generator: RandomGenerator
    /// In data-parallel training, this process's share of the batch: the masks are drawn for
    /// the global batch and this share's rows kept, as one process would draw them.
    public var shard = BatchShard.whole

    public init(p: Float = 0.5, generator: RandomGenerator = .global) {
        precondition(p >= 0 && p < 1, "Dropout: p must be in [0, 1), got \(p)")
        self.p = p
        self.generator = generator
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        guard isTraining && p > 0 else { return x }
        let mask = shard.draw(x.shape[0]) { Tensor.bernoulli([$0] + x.shape.dropFirst(), probability: 1 - p, generator: generator) }
        return x * (mask * (1 / (1 - p)))
    }
}
