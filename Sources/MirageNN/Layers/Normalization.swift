import MirageTensor

/// Normalises `x` to zero mean and unit (biased) variance over `axes`.
func standardize(_ x: Tensor, axes: [Int], eps: Float) -> Tensor {
    let mean = x.mean(axes: axes, keepDims: true)
    let centered = x - mean
    let variance = (centered * centered).mean(axes: axes, keepDims: true)
    return centered / (variance + eps).sqrt()
}

/// Group normalisation (Wu & He, 2018), like `torch.nn.GroupNorm`: statistics over each group
/// of channels and all positions of one sample; no running statistics.
///
/// ## Shape
/// `(N, C, *)` → same, with `C` divisible by `numGroups`.
///
/// - SeeAlso: <https://arxiv.org/abs/1803.08494>
public final class GroupNorm: Module, NormalizationLayer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let numGroups: Int
    public let numChannels: Int
    public let eps: Float

    public init(_ numGroups: Int, _ numChannels: Int, eps: Float = 1e-5, affine: Bool = true) {
        precondition(numGroups > 0 && numChannels % numGroups == 0,
                     "GroupNorm: numChannels \(numChannels) is not divisible by numGroups \(numGroups)")
        self.numGroups = numGroups
        self.numChannels = numChannels
        self.eps = eps
        self.weight = affine ? Tensor.ones([numChannels]) : nil
        self.bias = affine ? Tensor.zeros([numChannels]) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, then: nil) }

    /// The normalisation followed by `activation`, in one pass over the activations forward
    /// and one backward: `norm(x, then: .silu)` is `norm(x).silu()`, without the intermediate.
    public func callAsFunction(_ x: Tensor, then activation: NormalizationActivation?) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] == numChannels,
                     "GroupNorm: input has shape \(x.shape), expected (N, \(numChannels), …)")
        return x.groupNormalized(groups: numGroups, weight: weight, bias: bias, eps: eps, activation: activation)
    }
}

/// Layer normalisation (Ba et al., 2016), like `torch.nn.LayerNorm`: statistics over the last
/// `normalizedShape.count` dimensions of each sample.
///
/// - SeeAlso: <https://arxiv.org/abs/1607.06450>
public final class LayerNorm: Module, Layer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let normalizedShape: [Int]
    public let eps: Float

    public init(_ normalizedShape: [Int], eps: Float = 1e-5, elementwiseAffine: Bool = true) {
        self.normalizedShape = normalizedShape
        self.eps = eps
        self.weight = elementwiseAffine ? Tensor.ones(normalizedShape) : nil
        self.bias = elementwiseAffine ? Tensor.zeros(normalizedShape) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let k = normalizedShape.count
        precondition(x.rank >= k && Array(x.shape.suffix(k)) == normalizedShape,
                     "LayerNorm: input has shape \(x.shape), expected it to end with \(normalizedShape)")
        var y = standardize(x, axes: Array((x.rank - k)..<x.rank), eps: eps)
        if let w = weight { y = y * w }
        if let b = bias { y = y + b }
        return y
    }
}

/// Instance normalisation (Ulyanov et al., 2016), like `torch.nn.InstanceNorm2d` with its
/// defaults (no affine parameters, no running statistics): each channel of each image is
/// normalised on its own. The normalisation of choice in CycleGAN and pix2pix generators.
///
/// - SeeAlso: <https://arxiv.org/abs/1607.08022>
public final class InstanceNorm2d: Module, NormalizationLayer {
    @Parameter public var weight: Tensor?
    @Parameter public var bias: Tensor?
    public let numFeatures: Int
    public let eps: Float

    public init(_ numFeatures: Int, eps: Float = 1e-5, affine: Bool = false) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.weight = affine ? Tensor.ones([numFeatures]) : nil
        self.bias = affine ? Tensor.zeros([numFeatures]) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, then: nil) }

    /// The normalisation followed by `activation` in the same pass (see ``GroupNorm``).
    public func callAsFunction(_ x: Tensor, then activation: NormalizationActivation?) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == numFeatures,
                     "InstanceNorm2d: input has shape \(x.shape), expected (N, \(numFeatures), H, W)")
        // One group per channel: group normalisation's kernel with per-channel affine parameters.
        return x.groupNormalized(groups: numFeatures, weight: weight, bias: bias, eps: eps, activation: activation)
    }
}
