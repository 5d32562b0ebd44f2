import MirageTensor

/// Collapses dimensions `startDim...endDim` into one, like `torch.nn.Flatten` (default: all but the batch).
public final class Flatten: Module, Layer {
    public let startDim: Int
    public let endDim: Int
    public init(startDim: Int = 1, endDim: Int = -1) {
        self.startDim = startDim
        self.endDim = endDim
    }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(startAxis: startDim, endAxis: endDim) }
}

/// Reshapes each sample to `shape`, keeping the batch dimension: `(N, *)` → `(N, shape…)`.
public final class Reshape: Module, Layer {
    public let shape: [Int]
    public init(_ shape: [Int]) { self.shape = shape }
    public func callAsFunction(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0]] + shape) }
}

/// Nearest-neighbour upsampling by an integer factor, like `torch.nn.Upsample(mode="nearest")`.
public final class Upsample: Module, Layer {
    public let scaleFactor: (Int, Int)
    public init(scaleFactor: Int) { self.scaleFactor = (scaleFactor, scaleFactor) }
    public init(scaleFactor: (Int, Int)) { self.scaleFactor = scaleFactor }
    public func callAsFunction(_ x: Tensor) -> Tensor { upsampleNearest2d(x, scale: scaleFactor) }
}
