import Foundation
import MirageEval
import MirageNN
import MirageTensor

/// Glow's invertible 1×1 convolution: a learned `C×C` mixing of the channels at every position,
/// generalising RealNVP's fixed channel permutations. The weight is kept LU-decomposed,
/// `W = P·(L + I)·(U + diag(sign·exp(log s)))` with `P` a fixed permutation and `L`, `U` strictly
/// triangular, so `log |det W| = Σ log s` costs O(C) instead of a determinant.
///
/// It starts as a random rotation: the LU decomposition of a random orthogonal matrix.
///
/// ## Shape
/// `(N, C, H, W)` → same; log-determinant `H·W·Σ log s` for every example.
///
/// - SeeAlso: <https://arxiv.org/abs/1807.03039> (section 3.2)
public final class InvertibleConv1x1: Module, FlowLayer {
    @Buffer public var permutation: Tensor
    /// The signs of U's diagonal at initialisation, fixed.
    @Buffer public var sign: Tensor
    /// Below the diagonal: `L`'s entries (the rest is ignored).
    @Parameter public var lower: Tensor
    /// Above the diagonal: `U`'s entries (the rest is ignored).
    @Parameter public var upper: Tensor
    @Parameter public var logScale: Tensor
    public let channels: Int
    let lowerMask: Tensor, upperMask: Tensor, identity: Tensor

    public init(_ channels: Int, generator g: RandomGenerator = .global) {
        self.channels = channels
        let normals = Tensor.randn([channels, channels], generator: g).scalars.map(Double.init)
        let lu = LUDecomposition(Matrix.randomOrthogonal(channels, normals: normals))
        let diagonal = lu.upper.diagonalElements
        permutation = lu.permutation.tensor
        sign = Tensor(diagonal.map { $0 < 0 ? -1 : 1 })
        logScale = Tensor(diagonal.map { Float(Foundation.log(Swift.abs($0))) })
        lower = lu.lower.tensor
        upper = lu.upper.tensor
        let rows = (0..<channels * channels).map { $0 / channels }, columns = (0..<channels * channels).map { $0 % channels }
        lowerMask = Tensor(zip(rows, columns).map { $0 > $1 ? 1 : 0 }, shape: [channels, channels])
        upperMask = Tensor(zip(rows, columns).map { $0 < $1 ? 1 : 0 }, shape: [channels, channels])
        identity = Tensor(zip(rows, columns).map { $0 == $1 ? 1 : 0 }, shape: [channels, channels])
    }

    /// Why the stored values cannot be this layer's (a damaged checkpoint), or `nil`: `P` must be
    /// a permutation matrix, the signs ±1, and the scales such that `W` stays invertible in
    /// single precision (log s above −80).
    public var invalidReason: String? {
        let p = permutation.scalars, c = channels
        let isPermutation = p.allSatisfy { $0 == 0 || $0 == 1 }
            && (0..<c).allSatisfy { i in (0..<c).reduce(0) { $0 + p[i * c + $1] } == 1 && (0..<c).reduce(0) { $0 + p[$1 * c + i] } == 1 }
        if !isPermutation { return "its permutation is not a permutation matrix" }
        if !sign.scalars.allSatisfy({ $0 == 1 || $0 == -1 }) { return "its signs are not all ±1" }
        if !logScale.scalars.allSatisfy({ $0 > -80 && $0 < 80 }) { return "its log-scales leave the weight singular or unbounded" }
        return nil
    }

    /// The current `C×C` weight.
    public var weight: Tensor {
        let l = lower * lowerMask + identity
        let u = upper * upperMask + identity * (sign * logScale.exp()).reshaped([1, channels])
        return permutation.matmul(l).matmul(u)
    }

    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        precondition(x.rank == 4 && x.shape[1] == channels,
                     "InvertibleConv1x1: input has shape \(x.shape), expected (N, \(channels), H, W)")
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let y = weight.matmul(x.reshaped([n, channels, h * w])).reshaped(x.shape)
        return (y, perExample(logScale.sum() * Float(h * w), count: n))
    }

    /// Applies `W⁻¹`, computed in double precision from the current weight.
    public func inverse(_ y: Tensor) -> Tensor {
        let n = y.shape[0], positions = y.shape[2] * y.shape[3]
        let inverseWeight = withNoGrad { LUDecomposition(Matrix(weight)).inverse.tensor }
        return inverseWeight.matmul(y.reshaped([n, channels, positions])).reshaped(y.shape)
    }
}
