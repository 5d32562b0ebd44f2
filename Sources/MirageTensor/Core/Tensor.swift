/// An n-dimensional array of Float32 values that records the operations applied to it, so that
/// gradients can be computed by reverse-mode automatic differentiation.
///
/// A `Tensor` is a small value: a shape, a reference to its ``TensorStorage`` (row-major,
/// contiguous) and, when it takes part in a gradient computation, a reference to its node in the
/// graph. Copies share storage; ops always produce new storage, so a tensor's values never change
/// under you. Views that keep the element order (``reshaped(_:)``) share storage; views that move
/// elements (``permuted(_:)``, slices) copy, which keeps every kernel on contiguous buffers.
///
/// ```swift
/// var w = Tensor.randn([3, 2], generator: RandomGenerator(seed: 0))
/// w.requiresGrad = true
/// let x = Tensor([1, 2, 3], shape: [1, 3])
/// let loss = x.matmul(w).tanh().sum()
/// loss.backward()
/// print(w.grad!.shape) // [3, 2]
/// ```
public struct Tensor: @unchecked Sendable {
    /// The size of each dimension; `[]` for a scalar.
    public let shape: [Int]
    /// The element buffer, row-major. Its `count` equals the product of ``shape``.
    public let storage: TensorStorage
    /// The tensor's node in the autograd graph: a leaf for tensors that require gradients, an
    /// op node for results of recorded ops, `nil` for constants.
    public internal(set) var node: GradNode?

    /// Wraps existing storage. `storage.count` must equal the product of `shape`.
    public init(storage: TensorStorage, shape: [Int]) {
        precondition(storage.count == elementCount(shape),
                     "Tensor: storage holds \(storage.count) elements, shape \(shape) needs \(elementCount(shape))")
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in shape \(shape)")
        self.shape = shape
        self.storage = storage
        self.node = nil
    }

    init(storage: TensorStorage, shape: [Int], node: GradNode?) {
        self.shape = shape
        self.storage = storage
        self.node = node
    }

    /// Creates a tensor from values in row-major order.
    ///
    /// - Parameters:
    ///   - values: The elements; their count must equal the product of `shape`.
    ///   - shape: The tensor's shape; defaults to a vector of `values.count` elements.
    public init(_ values: [Float], shape: [Int]? = nil) {
        let shape = shape ?? [values.count]
        shapeCheck(values.count == elementCount(shape),
                   "Tensor: \(values.count) values do not fill shape \(shape) (\(elementCount(shape)) elements)")
        let s = TensorStorage(count: values.count)
        values.withUnsafeBufferPointer { s.data.update(from: $0.baseAddress!, count: values.count) }
        self.init(storage: s, shape: shape)
    }

    /// Creates a scalar (rank-0) tensor.
    public init(_ value: Float) {
        self.init([value], shape: [])
    }

    /// Number of dimensions.
    public var rank: Int { shape.count }
    /// Number of elements.
    public var count: Int { storage.count }

    /// The elements in row-major order.
    public var scalars: [Float] {
        Array(UnsafeBufferPointer(start: storage.data, count: count))
    }

    /// The single value of a one-element tensor.
    public var item: Float {
        shapeCheck(count == 1, "item: tensor of shape \(shape) has \(count) elements, expected 1")
        return storage.data[0]
    }

    /// Calls `body` with the elements for reading.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.data, count: count))
    }

    /// Calls `body` with the elements for writing in place, which every tensor sharing this
    /// storage sees. Meant for optimizer steps and initialisers under ``withNoGrad(_:)``; never use
    /// it on a tensor whose values a recorded graph still needs.
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.data, count: count))
    }

    /// Copies `other`'s values into this tensor's storage, in place (see
    /// ``withUnsafeMutableBufferPointer(_:)``). Shapes must match.
    public func assign(_ other: Tensor) {
        shapeCheck(other.shape == shape, "assign: source shape \(other.shape) differs from destination shape \(shape)")
        storage.data.update(from: other.storage.data, count: count)
    }

    /// A new tensor with its own copy of the elements and no gradient history.
    public func copy() -> Tensor {
        let s = TensorStorage(count: count)
        s.data.update(from: storage.data, count: count)
        return Tensor(storage: s, shape: shape)
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = count <= 16 ? scalars.map { "\($0)" }.joined(separator: ", ")
                                : scalars.prefix(8).map { "\($0)" }.joined(separator: ", ") + ", …"
        return "Tensor(shape: \(shape), [\(shown)]\(requiresGrad ? ", requiresGrad" : ""))"
    }
}
