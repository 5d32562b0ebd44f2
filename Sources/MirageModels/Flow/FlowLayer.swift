import MirageNN
import MirageTensor

/// An invertible layer with a tractable Jacobian: the building block of normalizing flows.
///
/// A flow maps data `x` to a latent `z = f(x)` through such layers; the change of variables
/// `log p(x) = log p(z) + Σ log |det ∂f_k|` makes the likelihood exact, and `inverse` runs the
/// chain backwards to sample.
public protocol FlowLayer: Module {
    /// `y = f(x)` and `log |det ∂y/∂x|` per example, shape `(N)`.
    func callAsFunction(_ x: Tensor) -> (y: Tensor, logDeterminant: Tensor)
    /// `x = f⁻¹(y)`.
    func inverse(_ y: Tensor) -> Tensor
}

extension AffineCoupling: FlowLayer {}

/// A log-determinant that is the same for every example, as a tensor of shape `(n)`.
func perExample(_ logDeterminant: Tensor, count n: Int) -> Tensor {
    logDeterminant.reshaped([1]).expanded(to: [n])
}
