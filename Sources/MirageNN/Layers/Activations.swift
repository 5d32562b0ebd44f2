import MirageTensor

/// `max(x, 0)` as a layer.
public final class ReLU: Module, ActivationLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.relu() }
    public var activation: NormalizationActivation { .relu }
}

/// `x` for positive `x`, `negativeSlope·x` otherwise, as a layer.
public final class LeakyReLU: Module, ActivationLayer {
    public let negativeSlope: Float
    public init(_ negativeSlope: Float = 0.01) { self.negativeSlope = negativeSlope }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.leakyRelu(negativeSlope) }
    public var activation: NormalizationActivation { .leakyRelu(negativeSlope: negativeSlope) }
}

/// Hyperbolic tangent as a layer.
public final class Tanh: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.tanh() }
}

/// Logistic sigmoid as a layer.
public final class Sigmoid: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.sigmoid() }
}

/// `x·σ(x)` as a layer.
public final class SiLU: Module, ActivationLayer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.silu() }
    public var activation: NormalizationActivation { .silu }
}

/// `log(1 + eˣ)` as a layer.
public final class Softplus: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x.softplus() }
}

/// The identity as a layer (a placeholder where an architecture has no normalisation, say).
public final class Identity: Module, Layer {
    public override init() {}
    public func callAsFunction(_ x: Tensor) -> Tensor { x }
}
