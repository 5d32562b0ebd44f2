import MirageNN
import MirageTensor

/// Glow's affine coupling over channels: the first half of the channels passes through and, via
/// a small convolutional network (3×3, ReLU, 1×1, ReLU, 3×3), gives a shift `t` and a scale
/// `s = sigmoid(h + 2)` for the second half, `y_b = (x_b + t)·s`. The last convolution starts at
/// zero, so a new coupling is close to the identity (`s = sigmoid(2) ≈ 0.88`); the sigmoid keeps
/// the scale in (0, 1), which Glow found more stable than `exp`.
///
/// ## Shape
/// `(N, C, H, W)` with even `C` → same; log-determinant `Σ log s` per example.
///
/// - SeeAlso: <https://arxiv.org/abs/1807.03039> (section 3.3)
public final class ConvAffineCoupling: Module, FlowLayer {
    public let net: Sequential
    public let channels: Int

    public init(_ channels: Int, hidden: Int, generator g: RandomGenerator = .global) {
        precondition(channels % 2 == 0 && hidden > 0, "ConvAffineCoupling: needs an even channel count and hidden > 0, got \(channels), \(hidden)")
        self.channels = channels
        let last = Conv2d(hidden, channels, kernelSize: 3, padding: 1, generator: g)
        last.weight = Tensor.zeros(last.weight.shape)
        last.bias = Tensor.zeros([channels])
        net = Sequential(Conv2d(channels / 2, hidden, kernelSize: 3, padding: 1, generator: g), ReLU(),
                         Conv2d(hidden, hidden, kernelSize: 1, generator: g), ReLU(), last)
    }

    /// The shift and the log of the scale for the second half, given the first.
    func shiftAndLogScale(_ first: Tensor) -> (shift: Tensor, logScale: Tensor) {
        let h = net(first).split(sizes: [channels / 2, channels / 2], axis: 1)
        // log sigmoid(a) = −softplus(−a), which stays finite where sigmoid underflows.
        return (h[0], -(-(h[1] + 2)).softplus())
    }

    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "ConvAffineCoupling: input has shape \(x.shape), expected (N, \(channels), H, W)")
        let halves = x.split(sizes: [channels / 2, channels / 2], axis: 1)
        let (shift, logScale) = shiftAndLogScale(halves[0])
        let second = (halves[1] + shift) * logScale.exp()
        return (Tensor.concat([halves[0], second], axis: 1), logScale.sum(axes: [1, 2, 3]))
    }

    public func inverse(_ y: Tensor) -> Tensor {
        let halves = y.split(sizes: [channels / 2, channels / 2], axis: 1)
        let (shift, logScale) = shiftAndLogScale(halves[0])
        return Tensor.concat([halves[0], halves[1] * (-logScale).exp() - shift], axis: 1)
    }
}
