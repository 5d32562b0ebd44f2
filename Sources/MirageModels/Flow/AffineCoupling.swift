import Foundation
import MirageNN
import MirageTensor

/// An affine coupling layer with a fixed binary mask (Dinh et al., RealNVP): the masked half of
/// `x` passes through unchanged and conditions a scale `s` and shift `t` for the other half,
/// `y = x·exp(s) + t` on the unmasked entries. The Jacobian is triangular, so its log-determinant
/// is just `Σ s`, and the layer is exactly invertible.
///
/// The scale is squashed with tanh so that early training cannot blow up `exp(s)`. Names and
/// shapes follow the benchmark's PyTorch `Coupling` (`m`, `net.0`, `net.2`, `net.4`).
///
/// ## Shape
/// input `(N, features)`; output `(N, features)` and log-determinant `(N)`.
///
/// - SeeAlso: <https://arxiv.org/abs/1605.08803>
public final class AffineCoupling: Module {
    /// 1 where features pass through unchanged, 0 where they are transformed.
    @Buffer public var m: Tensor
    public let net: Sequential
    /// `1 − m`, kept so each step does not recompute it.
    let complement: Tensor

    /// - Parameters:
    ///   - features: Dimension of the data.
    ///   - hidden: Width of the two hidden layers of the conditioning MLP.
    ///   - parity: Which alternate features the mask keeps (0: even indices, 1: odd), the
    ///     checkerboard of a flattened image.
    ///   - g: Source of the initial weights.
    public init(features: Int, hidden: Int, parity: Int, generator g: RandomGenerator = .global) {
        precondition(features > 1 && hidden > 0 && (parity == 0 || parity == 1),
                     "AffineCoupling: need features > 1, hidden > 0 and parity 0 or 1; got \(features), \(hidden), \(parity)")
        let mask = Tensor((0..<features).map { $0 % 2 == parity ? 1 : 0 })
        m = mask
        complement = 1 - mask
        net = Sequential(Linear(features, hidden, generator: g), ReLU(), Linear(hidden, hidden, generator: g), ReLU(),
                         Linear(hidden, 2 * features, generator: g))
    }

    /// Maps `x` towards the base distribution; returns `y` and `log |det ∂y/∂x|` per example.
    public func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor) {
        precondition(x.rank == 2 && x.shape[1] == m.count,
                     "AffineCoupling: input has shape \(x.shape), expected (N, \(m.count))")
        let st = net(x * m).chunked(2, axis: 1)
        let s = st[0].tanh() * complement, t = st[1] * complement
        return (x * s.exp() + t, s.sum(axis: 1))
    }

    /// The inverse map, `x = (y − t)·exp(−s)` on the transformed entries.
    public func inverse(_ y: Tensor) -> Tensor {
        let st = net(y * m).chunked(2, axis: 1)
        let s = st[0].tanh() * complement, t = st[1] * complement
        return (y - t) * (-s).exp()
    }
}
