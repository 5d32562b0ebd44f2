import Foundation
import MirageTensor

/// Single-head self-attention over the positions of a feature map, with a residual connection,
/// as in the DDPM U-Net's attention blocks: GroupNorm, 1×1 convolutions to queries, keys and
/// values, `softmax(qᵀk/√C)` over all `H·W` positions, a 1×1 output projection added to the input.
///
/// The output projection starts at zero, so a new block is the identity and the network learns
/// how much attention to mix in.
///
/// ## Shape
/// `(N, C, H, W)` → same, with `C` divisible by `groups`. Cost grows as `(H·W)²`, so it belongs on
/// small maps (7×7 for 28×28 images).
///
/// - SeeAlso: <https://arxiv.org/abs/2006.11239> (DDPM, appendix B), <https://arxiv.org/abs/1706.03762>
public final class SelfAttention2d: Module, Layer {
    public let norm: GroupNorm
    /// Queries, keys and values in one 1×1 convolution: `C → 3C`.
    public let qkv: Conv2d
    public let proj: Conv2d
    public let channels: Int

    public init(_ channels: Int, groups: Int = 8, generator g: RandomGenerator = .global) {
        self.channels = channels
        norm = GroupNorm(groups, channels)
        qkv = Conv2d(channels, 3 * channels, kernelSize: 1, generator: g)
        proj = Conv2d(channels, channels, kernelSize: 1, generator: g)
        proj.weight = Tensor.zeros(proj.weight.shape)
        proj.bias = Tensor.zeros([channels])
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "SelfAttention2d: input has shape \(x.shape), expected (N, \(channels), H, W)")
        let (n, c, h, w) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let parts = qkv(norm(x)).reshaped([n, 3 * c, h * w]).split(sizes: [c, c, c], axis: 1)
        let (q, k, v) = (parts[0], parts[1], parts[2])
        // scores[i, j] = q_i · k_j / √C, each row a distribution over the positions j.
        let scores = q.transposed(1, 2).matmul(k) * (1 / Float(c).squareRoot())
        let attended = v.matmul(scores.softmax(axis: -1).transposed(1, 2))
        return x + proj(attended.reshaped([n, c, h, w]))
    }
}
