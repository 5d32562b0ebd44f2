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

    public init(_ channels: Int) {
        self.channels = channels
        bias = Tensor.zeros([1, channels, 1, 1])
        logScale = Tensor.zeros([1, channels, 1, 1])
        initialized = Tensor([0])
    }

    /// Sets the bias to minus the per-channel mean of `x` and the scale to one over its
    /// standard deviation.
    func initialize(from x: Tensor) {
        withNoGrad {
            let mean = x.mean(axes: [0, 2, 3], keepDims: true)
            let centered = x - mean
            let std = ((centered * centered).mean(axes: [0, 2, 3], keepDims: true)).sqrt()
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
