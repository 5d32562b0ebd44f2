import MirageNN
import MirageTensor

/// RealNVP's convolutional affine coupling (Dinh et al., 2017): a mask splits the input into a
/// part that passes through unchanged and conditions, through a ``CouplingResNet``, a scale
/// `exp(s)` and a shift `t` for the rest, `y = x·exp(s) + t` there. The Jacobian is triangular,
/// so the log-determinant is `Σ s` over the transformed entries.
///
/// - ``Mask/checkerboard(parity:)``: pixel `(i, j)` passes through where `(i + j + parity)` is
///   even; the network sees the masked image and the mask itself as one more channel.
/// - ``Mask/channels(parity:)``: parity 0 keeps the first half of the channels and transforms
///   the second, parity 1 the reverse.
///
/// The log-scale is `s = scale·tanh(h)` with a learned per-channel `scale` (the paper's
/// stabilisation), and the network's last convolution starts at zero, so a new coupling is the
/// identity.
///
/// ## Shape
/// `(N, C, H, W)` → same (`C` even for channel masks); log-determinant `(N)`.
///
/// - SeeAlso: <https://arxiv.org/abs/1605.08803> (sections 3.3–3.4)
public final class RealNVPCoupling: Module, FlowLayer {
    public enum Mask: Equatable, Sendable {
        case checkerboard(parity: Int)
        case channels(parity: Int)
    }

    public let mask: Mask
    public let net: CouplingResNet
    /// Per-channel bound of the log-scale, `(1, C_transformed, 1, 1)`.
    @Parameter public var scale: Tensor
    public let channels: Int
    /// The checkerboard, 1 where pixels pass through, `(1, 1, H, W)`.
    let board: Tensor?

    /// - Parameters:
    ///   - channels: Channels of the input.
    ///   - height: Its height (the checkerboard's; unused by a channel mask).
    ///   - width: Its width (the checkerboard's; unused by a channel mask).
    ///   - mask: Which entries pass through.
    ///   - hidden: Channels of the network.
    ///   - blocks: Residual blocks in the network.
    ///   - g: Source of the network's initial weights.
    public init(channels: Int, height: Int, width: Int, mask: Mask, hidden: Int, blocks: Int, generator g: RandomGenerator = .global) {
        self.channels = channels
        self.mask = mask
        switch mask {
        case .checkerboard(let parity):
            precondition((parity == 0 || parity == 1) && channels >= 1 && height > 0 && width > 0, "RealNVPCoupling: a checkerboard needs parity 0 or 1 and a non-empty input, got \(parity), \(channels)×\(height)×\(width)")
            board = Tensor((0..<(height * width)).map { ($0 / width + $0 % width + parity) % 2 == 0 ? 1 : 0 }, shape: [1, 1, height, width])
            net = CouplingResNet(input: channels + 1, output: 2 * channels, hidden: hidden, blocks: blocks, generator: g)
            scale = Tensor.ones([1, channels, 1, 1])
        case .channels(let parity):
            precondition((parity == 0 || parity == 1) && channels % 2 == 0, "RealNVPCoupling: a channel mask needs parity 0 or 1 and an even channel count, got \(parity), \(channels)")
            board = nil
            net = CouplingResNet(input: channels / 2, output: channels, hidden: hidden, blocks: blocks, generator: g)
            scale = Tensor.ones([1, channels / 2, 1, 1])
        }
    }

    /// The network's input for a checkerboard coupling: the kept pixels and the board itself.
    func checkerboardCondition(_ kept: Tensor) -> Tensor {
        Tensor.concat([kept, board!.expanded(to: [kept.shape[0], 1, kept.shape[2], kept.shape[3]])], axis: 1)
    }

    /// The log-scale and shift from the network's output `h` (the log-scale's half first).
    func logScaleAndShift(_ h: Tensor) -> (logScale: Tensor, shift: Tensor) {
        let parts = h.chunked(2, axis: 1)
        return (scale * parts[0].tanh(), parts[1])
    }

    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        precondition(x.rank == 4 && x.shape[1] == channels, "RealNVPCoupling: input has shape \(x.shape), expected (N, \(channels), H, W)")
        switch mask {
        case .checkerboard:
            let b = board!, free = 1 - b
            precondition(x.shape[2] == b.shape[2] && x.shape[3] == b.shape[3], "RealNVPCoupling: input has shape \(x.shape), but the checkerboard is \(b.shape[2])×\(b.shape[3])")
            let kept = x * b
            let (raw, shift) = logScaleAndShift(net(checkerboardCondition(kept)))
            let logScale = raw * free
            return (kept + (x * logScale.exp() + shift) * free, logScale.sum(axes: [1, 2, 3]))
        case .channels(let parity):
            let halves = x.chunked(2, axis: 1)
            let (logScale, shift) = logScaleAndShift(net(halves[parity]))
            let moved = halves[1 - parity] * logScale.exp() + shift
            let y = parity == 0 ? Tensor.concat([halves[0], moved], axis: 1) : Tensor.concat([moved, halves[1]], axis: 1)
            return (y, logScale.sum(axes: [1, 2, 3]))
        }
    }

    public func inverse(_ y: Tensor) -> Tensor {
        switch mask {
        case .checkerboard:
            let b = board!, free = 1 - b
            let kept = y * b
            let (raw, shift) = logScaleAndShift(net(checkerboardCondition(kept)))
            return kept + ((y - shift) * (-(raw * free)).exp()) * free
        case .channels(let parity):
            let halves = y.chunked(2, axis: 1)
            let (logScale, shift) = logScaleAndShift(net(halves[parity]))
            let moved = (halves[1 - parity] - shift) * (-logScale).exp()
            return parity == 0 ? Tensor.concat([halves[0], moved], axis: 1) : Tensor.concat([moved, halves[1]], axis: 1)
        }
    }
}

/// The network of a ``RealNVPCoupling``: a 3×3 convolution to `hidden` channels, residual
/// blocks (ReLU, 3×3, ReLU, 3×3, added to the block's input), then ReLU and a zero-started 3×3
/// convolution to the output.
public final class CouplingResNet: Module, Layer {
    public let input: Conv2d
    public let blocks: [ResidualConvBlock]
    public let output: Conv2d

    public init(input inputChannels: Int, output outputChannels: Int, hidden: Int, blocks count: Int, generator g: RandomGenerator = .global) {
        precondition(hidden > 0 && count >= 0, "CouplingResNet: needs hidden > 0 and blocks ≥ 0, got \(hidden), \(count)")
        input = Conv2d(inputChannels, hidden, kernelSize: 3, padding: 1, generator: g)
        blocks = (0..<count).map { _ in ResidualConvBlock(hidden, generator: g) }
        output = Conv2d(hidden, outputChannels, kernelSize: 3, padding: 1, generator: g)
        output.weight = Tensor.zeros(output.weight.shape)
        output.bias = Tensor.zeros([outputChannels])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        output(blocks.reduce(input(x)) { $1($0) }.relu())
    }
}

/// `x + conv2(relu(conv1(relu(x))))` with 3×3 convolutions that keep the channels.
public final class ResidualConvBlock: Module, Layer {
    public let conv1: Conv2d
    public let conv2: Conv2d

    public init(_ channels: Int, generator g: RandomGenerator = .global) {
        conv1 = Conv2d(channels, channels, kernelSize: 3, padding: 1, generator: g)
        conv2 = Conv2d(channels, channels, kernelSize: 3, padding: 1, generator: g)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        x + conv2(conv1(x.relu()).relu())
    }
}
