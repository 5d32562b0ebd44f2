import MirageTensor

/// A fully connected layer: `y = x·Wᵀ + b`, like `torch.nn.Linear`.
///
/// ```swift
/// let fc = Linear(784, 400)
/// let h = fc(Tensor.zeros([64, 784])) // [64, 400]
/// ```
///
/// ## Shape
/// input `(*, inFeatures)`, output `(*, outFeatures)`; weight `(outFeatures, inFeatures)`, bias `(outFeatures)`.
///
/// Initialised as PyTorch does: weight and bias uniform on ±1/√inFeatures.
///
/// ### See Also
/// - ``Conv2d``
public final class Linear: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?

    public let inFeatures: Int
    public let outFeatures: Int

    /// - Parameters:
    ///   - inFeatures: Size of each input sample.
    ///   - outFeatures: Size of each output sample.
    ///   - bias: Whether to learn an additive bias.
    ///   - generator: Source of the initial weights.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, generator: RandomGenerator = .global) {
        precondition(inFeatures > 0 && outFeatures > 0, "Linear: feature counts must be positive, got \(inFeatures), \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let (w, bound) = Init.torchDefault(weight: [outFeatures, inFeatures], generator: generator)
        self.weight = w
        self.bias = bias ? Init.uniform([outFeatures], bound: bound, generator: generator) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.shape.last == inFeatures, "Linear: input has shape \(x.shape), expected last dimension \(inFeatures)")
        let y = x.matmul(transposed: weight)
        return bias.map { y + $0 } ?? y
    }
}
