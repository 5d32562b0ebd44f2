/// Tensors made from nothing: constants, ranges and random draws.
extension Tensor {
    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// A tensor with every element equal to `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        shapeCheck(shape.allSatisfy { $0 >= 0 }, "full: negative dimension in shape \(shape)")
        return Tensor(storage: TensorStorage(count: elementCount(shape), repeating: value), shape: shape)
    }

    /// Zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// Ones shaped like `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// Values from `start` up to but excluding `end`, `step` apart, like `torch.arange`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        shapeCheck(step != 0, "arange: step must not be zero")
        let n = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        return Tensor((0..<n).map { start + Float($0) * step }, shape: [n])
    }

    /// The n×n identity matrix.
    public static func eye(_ n: Int) -> Tensor {
        let t = zeros([n, n])
        for i in 0..<n { t.storage.data[i * n + i] = 1 }
        return t
    }

    /// One-hot rows `[indices.count, classes]`, like `torch.nn.functional.one_hot`: row `i` is 1 at
    /// column `indices[i]` and 0 elsewhere.
    public static func oneHot(_ indices: some Collection<Int>, classes: Int) -> Tensor {
        shapeCheck(classes > 0 && indices.allSatisfy { (0..<classes).contains($0) },
                   "oneHot: every index must lie in 0..<\(classes)")
        let t = zeros([indices.count, classes])
        for (row, k) in indices.enumerated() { t.storage.data[row * classes + k] = 1 }
        return t
    }

    /// Uniform values in [`low`, `high`).
    ///
    /// - Parameters:
    ///   - shape: The shape of the tensor.
    ///   - low: The lower bound (inclusive).
    ///   - high: The upper bound (exclusive).
    ///   - generator: The source of randomness; the same seed gives the same tensor.
    public static func rand(_ shape: [Int], low: Float = 0, high: Float = 1,
                            generator: RandomGenerator = .global) -> Tensor {
        let s = TensorStorage(count: elementCount(shape))
        let span = high - low
        for i in 0..<s.count { s.data[i] = low + span * generator.nextUniform() }
        return Tensor(storage: s, shape: shape)
    }

    /// Normal values with the given mean and standard deviation.
    ///
    /// - Parameters:
    ///   - shape: The shape of the tensor.
    ///   - mean: The mean of the values.
    ///   - std: The standard deviation of the values.
    ///   - generator: The source of randomness; the same seed gives the same tensor.
    public static func randn(_ shape: [Int], mean: Float = 0, std: Float = 1,
                             generator: RandomGenerator = .global) -> Tensor {
        let s = TensorStorage(count: elementCount(shape))
        for i in 0..<s.count { s.data[i] = mean + std * generator.nextNormal() }
        return Tensor(storage: s, shape: shape)
    }

    /// Ones with probability `p`, zeros otherwise (dropout masks, masking noise).
    public static func bernoulli(_ shape: [Int], probability p: Float,
                                 generator: RandomGenerator = .global) -> Tensor {
        let s = TensorStorage(count: elementCount(shape))
        for i in 0..<s.count { s.data[i] = generator.nextUniform() < p ? 1 : 0 }
        return Tensor(storage: s, shape: shape)
    }

    /// Ones with probability `probabilities[i]` at each position, zeros otherwise: dynamic
    /// binarisation of pixel intensities in [0, 1], for instance. No gradient.
    public static func bernoulli(probabilities: Tensor, generator: RandomGenerator = .global) -> Tensor {
        let s = TensorStorage(count: probabilities.count)
        let p = probabilities.storage.data
        for i in 0..<s.count { s.data[i] = generator.nextUniform() < p[i] ? 1 : 0 }
        return Tensor(storage: s, shape: probabilities.shape)
    }
}
