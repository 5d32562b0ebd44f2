import Foundation

/// Element-wise math. Rules that need the result (exp, tanh, sigmoid) read it back instead of
/// recomputing it.
extension Tensor {
    /// eˣ.
    public func exp() -> Tensor {
        Tensor.record("exp", expKernel(storage), shape: shape, inputs: [self],
                      savesOutput: true) { g, y in [g * y] }
    }

    /// Natural logarithm.
    public func log() -> Tensor {
        Tensor.record("log", mapKernel(storage) { Foundation.log($0) }, shape: shape, inputs: [self]) { g, _ in
            [g / self]
        }
    }

    /// Square root.
    public func sqrt() -> Tensor {
        Tensor.record("sqrt", mapKernel(storage) { $0.squareRoot() }, shape: shape, inputs: [self],
                      savesOutput: true) { g, y in [g * 0.5 / y] }
    }

    /// xᵖ for a constant exponent.
    public func pow(_ p: Float) -> Tensor {
        let out = p == 2 ? mapKernel(storage) { $0 * $0 } : mapKernel(storage) { Foundation.pow($0, p) }
        return Tensor.record("pow", out, shape: shape, inputs: [self]) { g, _ in
            p == 2 ? [g * self * 2] : [g * self.pow(p - 1) * p]
        }
    }

    /// |x|; its derivative at 0 is taken as 0, as in PyTorch.
    public func abs() -> Tensor {
        Tensor.record("abs", mapKernel(storage) { Swift.abs($0) }, shape: shape, inputs: [self]) { g, _ in
            [g * self.sign()]
        }
    }

    /// −1, 0 or 1 by the sign of each element (not differentiable: its derivative is zero).
    public func sign() -> Tensor {
        Tensor(storage: mapKernel(storage) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }, shape: shape)
    }

    /// Hyperbolic tangent.
    public func tanh() -> Tensor {
        Tensor.record("tanh", mapKernel(storage) { Foundation.tanh($0) }, shape: shape, inputs: [self],
                      savesOutput: true) { g, y in [g * (1 - y * y)] }
    }

    /// The logistic function 1 / (1 + e⁻ˣ), computed without overflow for large |x|.
    public func sigmoid() -> Tensor {
        // e^−|x| never overflows; σ(x) = 1/(1+e^−x) for x ≥ 0 and e^x/(1+e^x) below.
        let e = expKernel(mapKernel(storage) { -Swift.abs($0) })
        let out = zipKernel(storage, e) { x, e in x >= 0 ? 1 / (1 + e) : e / (1 + e) }
        return Tensor.record("sigmoid", out, shape: shape, inputs: [self], savesOutput: true) { g, y in
            [g * y * (1 - y)]
        }
    }

    /// max(x, 0).
    public func relu() -> Tensor {
        Tensor.record("relu", mapKernel(storage) { Swift.max($0, 0) }, shape: shape, inputs: [self]) { g, _ in
            [g * (self .> 0)]
        }
    }

    /// x for x > 0, `negativeSlope`·x otherwise.
    public func leakyRelu(_ negativeSlope: Float = 0.01) -> Tensor {
        let out = mapKernel(storage) { $0 > 0 ? $0 : $0 * negativeSlope }
        return Tensor.record("leakyRelu", out, shape: shape, inputs: [self]) { g, _ in
            let slope = Tensor(storage: mapKernel(self.storage) { $0 > 0 ? 1 : negativeSlope }, shape: self.shape)
            return [g * slope]
        }
    }

    /// x·σ(x), also called swish.
    public func silu() -> Tensor { self * sigmoid() }

    /// log(1 + eˣ), computed as max(x, 0) + log1p(e^−|x|) so that it never overflows.
    public func softplus() -> Tensor {
        let out = mapKernel(storage) { x in Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x))) }
        return Tensor.record("softplus", out, shape: shape, inputs: [self]) { g, _ in [g * self.sigmoid()] }
    }

    /// Sine.
    public func sin() -> Tensor {
        Tensor.record("sin", mapKernel(storage) { Foundation.sin($0) }, shape: shape, inputs: [self]) { g, _ in
            [g * self.cos()]
        }
    }

    /// Cosine.
    public func cos() -> Tensor {
        Tensor.record("cos", mapKernel(storage) { Foundation.cos($0) }, shape: shape, inputs: [self]) { g, _ in
            [-(g * self.sin())]
        }
    }
}
