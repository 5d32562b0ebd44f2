import MirageTensor

/// Pads the two spatial axes of NCHW images with their own mirror image, the edge pixel not
/// repeated, like `torch.nn.ReflectionPad2d`: `[a b c]` padded by 2 is `[c b a b c b a]`.
/// CycleGAN's ResNet generator uses it so that its convolutions see no artificial zero border.
///
/// ```swift
/// let pad = ReflectionPad2d(3)
/// let y = pad(Tensor.zeros([1, 3, 256, 256]))   // [1, 3, 262, 262]
/// ```
///
/// Built on MirageTensor's `Tensor.indexSelect(axis:indices:)`, so its gradient (the mirrored
/// border's gradients added back onto the pixels they copy) comes with it.
public final class ReflectionPad2d: Module, Layer {
    public let padding: Int

    public init(_ padding: Int) {
        precondition(padding >= 0, "ReflectionPad2d: padding must be non-negative, got \(padding)")
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[2] > padding && x.shape[3] > padding,
                     "ReflectionPad2d: input of shape \(x.shape) must be (N, C, H, W) with H and W above the padding \(padding)")
        guard padding > 0 else { return x }
        return x.indexSelect(axis: 2, indices: Self.reflected(x.shape[2], padding))
            .indexSelect(axis: 3, indices: Self.reflected(x.shape[3], padding))
    }

    /// The source position of each padded position along an axis of length `n`.
    static func reflected(_ n: Int, _ p: Int) -> [Int] {
        (-p..<(n + p)).map { i in i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i }
    }
}
