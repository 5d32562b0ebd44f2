import MirageTensor

/// A lookup table of learned vectors, like `torch.nn.Embedding` (initialised N(0, 1)).
///
/// ## Shape
/// indices `(*)` holding integral values in `0..<numEmbeddings`; output `(*, embeddingDim)`.
public final class Embedding: Module, Layer {
    @Parameter public var weight: Tensor
    public let numEmbeddings: Int
    public let embeddingDim: Int

    public init(_ numEmbeddings: Int, _ embeddingDim: Int, generator: RandomGenerator = .global) {
        self.numEmbeddings = numEmbeddings
        self.embeddingDim = embeddingDim
        self.weight = Tensor.randn([numEmbeddings, embeddingDim], generator: generator)
    }

    public func callAsFunction(_ indices: Tensor) -> Tensor {
        let ids = indices.scalars.map { v -> Int in
            let i = Int(v)
            precondition(Float(i) == v && i >= 0 && i < numEmbeddings,
                         "Embedding: index \(v) is not an integer in 0..<\(numEmbeddings)")
            return i
        }
        return weight.indexSelect(axis: 0, indices: ids).reshaped(indices.shape + [embeddingDim])
    }
}
