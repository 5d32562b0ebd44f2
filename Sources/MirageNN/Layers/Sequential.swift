import MirageTensor

/// Layers applied in order, like `torch.nn.Sequential`; children are keyed `0`, `1`, … so that
/// state dicts match PyTorch's.
///
/// ```swift
/// let mlp = Sequential(Linear(784, 256), LeakyReLU(0.2), Linear(256, 1))
/// ```
public final class Sequential: Module, Layer {
    public let layers: [any Layer]

    public init(_ layers: [any Layer]) { self.layers = layers }
    public convenience init(_ layers: any Layer...) { self.init(layers) }

    override public func namedChildren() -> [(String, Module)] {
        layers.enumerated().map { ("\($0.offset)", $0.element) }
    }

    /// Applies the layers in order. A ``NormalizationLayer`` followed by an ``ActivationLayer``
    /// runs as one op (the same floats, one pass fewer each way).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        var h = x
        var i = 0
        while i < layers.count {
            if i + 1 < layers.count, let norm = layers[i] as? any NormalizationLayer,
               let activation = layers[i + 1] as? any ActivationLayer {
                h = norm(h, then: activation.activation)
                i += 2
            } else {
                h = layers[i](h)
                i += 1
            }
        }
        return h
    }
}
