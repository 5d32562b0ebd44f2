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

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { $1($0) }
    }
}
