import CMirageKernels

/// An activation that a normalisation applies in the same pass as its scale and shift, and whose
/// derivative its backward pass takes from the saved input, so that neither the normalised values
/// nor the activation's output need a pass (or a buffer) of their own:
///
/// ```swift
/// let h = x.groupNormalized(groups: 8, weight: w, bias: b, eps: 1e-5, activation: .silu)
/// // the same floats as x.groupNormalized(groups: 8, weight: w, bias: b, eps: 1e-5).silu()
/// ```
public enum NormalizationActivation: Sendable, Equatable {
    /// z·σ(z), as ``Tensor/silu()``.
    case silu
    /// max(z, 0), as ``Tensor/relu()``.
    case relu
    /// z for z > 0, else `negativeSlope`·z, as ``Tensor/leakyRelu(_:)``.
    case leakyRelu(negativeSlope: Float)

    /// The op's name, as its separate op is named.
    var name: String {
        switch self {
        case .silu: "silu"
        case .relu: "relu"
        case .leakyRelu: "leakyRelu"
        }
    }

    var kernel: (function: MirageActivation, slope: Float) {
        switch self {
        case .silu: (.siLU, 0)
        case .relu: (.leakyReLU, 0)
        case .leakyRelu(let slope): (.leakyReLU, slope)
        }
    }

    /// The activation as an op of its own.
    public func callAsFunction(_ z: Tensor) -> Tensor {
        switch self {
        case .silu: z.silu()
        case .relu: z.relu()
        case .leakyRelu(let slope): z.leakyRelu(slope)
        }
    }

    /// `g·f′(z)` from differentiable ops, for gradients of gradients: the separate ops' own
    /// composed derivatives.
    func composedGradient(_ g: Tensor, at z: Tensor) -> Tensor {
        switch self {
        case .silu: Tensor.composedSiLUGradient(g, at: z)
        case .relu: Tensor.composedReLUGradient(g, sign: z)
        case .leakyRelu(let slope): Tensor.composedLeakyReLUGradient(g, sign: z, negativeSlope: slope)
        }
    }
}
