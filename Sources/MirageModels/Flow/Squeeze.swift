import MirageNN
import MirageTensor

/// Trades space for channels: each 2×2 block of pixels becomes four channels at one position,
/// `(N, C, H, W) → (N, 4C, H/2, W/2)` (RealNVP's squeeze). A permutation, so its
/// log-determinant is 0. Channel `4c + 2i + j` holds pixel `(i, j)` of channel `c`'s blocks, as in
/// the PyTorch flows' `view(N, C, H/2, 2, W/2, 2).permute(0, 1, 3, 5, 2, 4)`.
///
/// - SeeAlso: <https://arxiv.org/abs/1605.08803> (section 3.6)
public final class Squeeze: Module, FlowLayer {
    public override init() {}

    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        precondition(x.rank == 4 && x.shape[2] % 2 == 0 && x.shape[3] % 2 == 0,
                     "Squeeze: input has shape \(x.shape), expected (N, C, H, W) with even H and W")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let y = x.reshaped([n, c, h / 2, 2, w / 2, 2]).permuted([0, 1, 3, 5, 2, 4]).reshaped([n, 4 * c, h / 2, w / 2])
        return (y, Tensor.zeros([n]))
    }

    public func inverse(_ y: Tensor) -> Tensor {
        precondition(y.rank == 4 && y.shape[1] % 4 == 0, "Squeeze: input has shape \(y.shape), expected (N, 4C, H, W)")
        let (n, c, h, w) = (y.shape[0], y.shape[1] / 4, y.shape[2], y.shape[3])
        return y.reshaped([n, c, 2, 2, h, w]).permuted([0, 1, 4, 2, 5, 3]).reshaped([n, c, 2 * h, 2 * w])
    }
}
