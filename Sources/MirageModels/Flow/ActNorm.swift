import MirageNN
import MirageTensor

/// Activation normalisation (Glow): a per-channel affine map `y = (x + b)·exp(log s)` whose
/// parameters are set from the first batch it sees, so that batch leaves with zero mean and unit
/// variance per channel; afterwards they are ordinary trainable parameters. Unlike batch norm it
/// does not depend on the batch after that, so it stays invertible.
///
/// `initialized` is a buffer, so a restored checkpoint does not initialise again.
///
/// ## Shape
/// `(N, C, H, W)` → same; log-determinant `H·W·Σ log s` for every example.
///
/// - SeeAlso: <https://arxiv.org/abs/1807.03039> (section 3.1)
public final class ActNorm: Module, FlowLayer {
    @Parameter public var bias: Tensor
    @Parameter public var logScale: Tensor
    /// 1 once the data-dependent initialisation has run.
    @Buffer public var initialized: Tensor
    public let channels: Int
    /// In data-parallel training, this process's share of the batch: the initial statistics are
    /// those of the global batch, so that every process starts from the same parameters.
    public var shard = BatchShard.whole

    public init(_ channels: Int) {
        self.channels = channels
        bias = Tensor.zeros([1, channels, 1, 1])
        logScale = Tensor.zeros([1, channels, 1, 1])
        initialized = Tensor([0])
    }

    /// Sets the bias to minus the per-channel mean of `x` (of the global batch, in data-parallel
    /// training) and the scale to one over its standard deviation.
    func initialize(from x: Tensor) {
        withNoGrad {
            let mean: Tensor, variance: Tensor
            if shard.isWhole {
                mean = x.mean(axes: [0, 2, 3], keepDims: true)
                variance = ((x - mean) * (x - mean)).mean(axes: [0, 2, 3], keepDims: true)
            } else {
                let n = Float(shard.count * x.count / channels)
                mean = shard.sum(x.sum(axes: [0, 2, 3], keepDims: true)) * (1 / n)
                variance = shard.sum(((x - mean) * (x - mean)).sum(axes: [0, 2, 3], keepDims: true)) * (1 / n)
            }
            let std = variance.sqrt()
            bias = -mean
            logScale = -(std + 1e-6).log()
            initialized = Tensor([1])
        }
    }

    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        precondition(x.rank == 4 && x.shape[1] == channels, "ActNorm: input has shape \(x.shape), expected (N, \(channels), H, W)")
        if initialized.item == 0 { initialize(from: x) }
        let y = (x + bias) * logScale.exp()
        return (y, perExample(logScale.sum() * Float(x.shape[2] * x.shape[3]), count: x.shape[0]))
    }

    public func inverse(_ y: Tensor) -> Tensor {
        y * (-logScale).exp() - bias
    }
}
