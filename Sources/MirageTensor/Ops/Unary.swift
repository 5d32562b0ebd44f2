import Foundation

/// Element-wise math. Rules that need the result (exp, tanh, sigmoid) read it back instead of
/// recomputing it. The derivatives of the activations run as one fused pass when gradients are
/// not being recorded, and as the same formula in differentiable ops under `createGraph`.
extension Tensor {
    /// `g ⊙ f′`, computed by `fused(g, other)` in one pass, or by `composed()` when the sweep
    /// records (createGraph) so that the gradient can be differentiated again.
    private static func derivative(_ g: Tensor, _ other: Tensor, _ fused: BinaryFunction,
                                                        composed: () -> Tensor) -> Tensor {
        GradMode.isEnabled ? composed() : Tensor(storage: zipKernel(g.storage, other.storage, fused), shape: g.shape)
    }

    /// `g·relu′`, from a tensor positive exactly where the input is, in differentiable ops.
    static func composedReLUGradient(_ g: Tensor, sign: Tensor) -> Tensor { g * (sign .> 0) }

    /// `g·leakyRelu′`, from a tensor positive exactly where the input is, in differentiable ops.
    static func composedLeakyReLUGradient(_ g: Tensor, sign: Tensor, negativeSlope: Float) -> Tensor {
        let positive = sign .> 0
        return g * (positive + (1 - positive) * negativeSlope)
    }

    /// `g·silu′(x)` in differentiable ops.
    static func composedSiLUGradient(_ g: Tensor, at x: Tensor) -> Tensor {
        let s = x.sigmoid()
        return g * (s + x * s * (1 - s))
    }

    /// eˣ.
    public func exp() -> Tensor {
        Tensor.record("exp", mapKernel(storage, .exp), shape: shape, inputs: [self],
                      savesOutput: true) { g, y in [g * y] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        Tensor.record("log", mapKernel(storage, .log), shape: shape, inputs: [self]) { g, _ in
            [g / self]
        }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        Tensor.record("sqrt", mapKernel(storage, .squareRoot), shape: shape, inputs: [self],
                      savesOutput: true) { g, y in [g * 0.5 / y] }
    }

    /// xᵖ for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let out = p == 2 ? mapKernel(storage, .square) : mapKernel(storage, .power(p))
        return Tensor.record("pow", out, shape: shape, inputs: [self]) { g, _ in
            p == 2 ? [g * self * 2] : [g * self.pow(p - 1) * p]
        }
    }

    /// |x|; its derivative at 0 is taken as 0, as in PyTorch.
    public func abs() -> Tensor {
        Tensor.record("abs", mapKernel(storage, .absolute), shape: shape, inputs: [self]) { g, _ in
            [g * self.sign()]
        }
    }

    /// −1, 0 or 1 by the sign of each element (not differentiable: its derivative is zero).
    public func sign() -> Tensor {
        Tensor(storage: mapKernel(storage, .sign), shape: shape)
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        Tensor.record("tanh", mapKernel(storage, .tanh), shape: shape, inputs: [self],
                      savesOutput: true) { g, y in
            [Tensor.derivative(g, y, .tanhGradient) { g * (1 - y * y) }]
        }
    }

    /// The logistic function 1 / (1 + e⁻ˣ), computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        Tensor.record("sigmoid", mapKernel(storage, .sigmoid), shape: shape, inputs: [self],
                      savesOutput: true) { g, y in
            [Tensor.derivative(g, y, .sigmoidGradient) { g * y * (1 - y) }]
        }
    }

    /// max(x, 0).
    public func relu() -> Tensor {
        // The rule reads the output (y > 0 exactly where x > 0), which the next layer usually keeps
        // anyway, so the graph need not keep the input too.
        Tensor.record("relu", mapKernel(storage, .relu), shape: shape, inputs: [self],
                      savesOutput: true) { g, y in
            [Tensor.derivative(g, y, .leakyReluGradient(slope: 0)) { Tensor.composedReLUGradient(g, sign: y) }]
        }
    }

    /// x for x > 0, `negativeSlope`·x otherwise.
    public func leakyRelu(_ negativeSlope: Float = 0.01) -> Tensor {
        let out = mapKernel(storage, .leakyRelu(slope: negativeSlope))
        func rule(_ g: Tensor, _ sign: Tensor) -> [Tensor?] {
            [Tensor.derivative(g, sign, .leakyReluGradient(slope: negativeSlope)) {
                Tensor.composedLeakyReLUGradient(g, sign: sign, negativeSlope: negativeSlope)
            }]
        }
        // With a non-negative slope y > 0 exactly where x > 0, so the rule reads the output (see relu).
        if negativeSlope >= 0 {
            return Tensor.record("leakyRelu", out, shape: shape, inputs: [self], savesOutput: true) { g, y in rule(g, y) }
        }
        return Tensor.record("leakyRelu", out, shape: shape, inputs: [self]) { g, _ in rule(g, self) }
    }

    /// x·σ(x), also called swish.
    public func silu() -> Tensor {
        Tensor.record("silu", mapKernel(storage, .silu), shape: shape, inputs: [self]) { g, _ in
            [Tensor.derivative(g, self, .siluGradient) { Tensor.composedSiLUGradient(g, at: self) }]
        }
    }

    /// log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so that it never overflows.
    public func softplus() -> Tensor {
        Tensor.record("softplus", mapKernel(storage, .softplus), shape: shape, inputs: [self]) { g, _ in
            [g * self.sigmoid()]
        }
    }

    /// Sine.
    public func sin() -> Tensor {
        Tensor.record("sin", mapKernel(storage, .sine), shape: shape, inputs: [self]) { g, _ in
            [g * self.cos()]
        }
    }

    /// Cosine.
    public func cos() -> Tensor {
        Tensor.record("cos", mapKernel(storage, .cosine), shape: shape, inputs: [self]) { g, _ in
            [-(g * self.sin())]
        }
    }
}
