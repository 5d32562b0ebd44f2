import MirageNN
import MirageTensor

/// A square convolution whose kernel is masked so that each output pixel sees only the input
/// pixels before it in raster order (rows top to bottom, then columns left to right): the
/// building block of PixelCNN (van den Oord et al., 2016).
///
/// Type ``Kind/a`` also hides the centre pixel, so the first layer never sees the pixel it
/// predicts; type ``Kind/b`` shows it, for later layers whose centre already holds only earlier
/// pixels' information. Images have one channel here, so no masking between colour channels is
/// needed.
///
/// ```swift
/// let first = MaskedConv2d(1, 64, kernelSize: 7, kind: .a)   // [N, 1, 28, 28] → [N, 64, 28, 28]
/// let later = MaskedConv2d(64, 64, kernelSize: 3, kind: .b)
/// ```
///
/// The weight and bias are stored as `torch.nn.Conv2d`'s (`weight`, `bias`); the mask is fixed
/// and not part of the state.
public final class MaskedConv2d: Module, Layer {
    /// Whether the centre pixel is seen.
    public enum Kind: Sendable {
        /// Centre hidden: the first layer.
        case a
        /// Centre seen: every later layer.
        case b
    }

    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let kind: Kind
    /// 1 where the kernel may see, 0 where it may not, shaped like ``weight``.
    let mask: Tensor

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize k: Int, kind: Kind, generator: RandomGenerator = .global) {
        precondition(k % 2 == 1, "MaskedConv2d: kernel size \(k) must be odd, so the kernel has a centre")
        let conv = Conv2d(inChannels, outChannels, kernelSize: k, padding: k / 2, generator: generator)
        weight = conv.weight
        bias = conv.bias
        self.kind = kind
        let c = k / 2
        let plane = (0..<(k * k)).map { i -> Float in
            let (row, col) = (i / k, i % k)
            return row < c || (row == c && (col < c || (kind == .b && col == c))) ? 1 : 0
        }
        mask = Tensor(Array(repeating: plane, count: outChannels * inChannels).flatMap { $0 }, shape: [outChannels, inChannels, k, k])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let k = weight.shape[2]
        return conv2d(x, weight * mask, bias: bias, padding: (k / 2, k / 2))
    }

    /// One output row from the `k/2 + 1` input rows that end at it: the mask's lower rows are
    /// zero, so this is the layer's output for the last row exactly.
    func lastRow(_ rows: Tensor) -> Tensor {
        let k = weight.shape[2]
        return conv2d(rows, (weight * mask).sliced(axis: 2, 0..<(k / 2 + 1)), bias: bias, padding: (0, k / 2))
    }
}
