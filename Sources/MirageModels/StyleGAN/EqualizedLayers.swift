import Foundation
import MirageNN
import MirageTensor

/// StyleGAN's equalised learning rate (Karras et al., 2018, section 4.1): weights are stored as
/// N(0, 1) draws (divided by the learning-rate multiplier) and scaled at run time by
/// `multiplier / √fan-in`, so that Adam's per-parameter step size is the same for every layer
/// whatever its fan-in. The multiplier also scales the bias; the mapping network uses 0.01.
public final class EqualizedLinear: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    /// The run-time scale of the weight, `multiplier / √inFeatures`.
    public let weightScale: Float
    /// The learning-rate multiplier, which also scales the bias.
    public let multiplier: Float

    /// - Parameters:
    ///   - biasInit: The bias's initial value (the modulation's affine maps start at 1).
    ///   - multiplier: The learning-rate multiplier.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true, biasInit: Float = 0, multiplier: Float = 1,
                generator: RandomGenerator) {
        precondition(inFeatures > 0 && outFeatures > 0 && multiplier > 0,
                     "EqualizedLinear: feature counts and multiplier must be positive, got \(inFeatures), \(outFeatures), \(multiplier)")
        weight = Tensor.randn([outFeatures, inFeatures], generator: generator) * (1 / multiplier)
        self.bias = bias ? Tensor.full([outFeatures], biasInit / multiplier) : nil
        weightScale = multiplier / Float(inFeatures).squareRoot()
        self.multiplier = multiplier
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let y = x.matmul(transposed: weight * weightScale)
        return bias.map { y + $0 * multiplier } ?? y
    }
}

/// A convolution with the equalised learning rate (see ``EqualizedLinear``), "same" padding.
public final class EqualizedConv2d: Module, Layer {
    @Parameter public var weight: Tensor
    @Parameter public var bias: Tensor?
    public let weightScale: Float

    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, bias: Bool = true, generator: RandomGenerator) {
        weight = Tensor.randn([outChannels, inChannels, kernelSize, kernelSize], generator: generator)
        self.bias = bias ? Tensor.zeros([outChannels]) : nil
        weightScale = 1 / Float(inChannels * kernelSize * kernelSize).squareRoot()
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let k = weight.shape[2]
        return conv2d(x, weight * weightScale, bias: bias, padding: (k / 2, k / 2))
    }
}

extension Tensor {
    /// StyleGAN's activation: leaky ReLU with slope 0.2, scaled by √2 so that it keeps a unit
    /// variance (the official code's `lrelu` gain).
    func styleActivation() -> Tensor { leakyRelu(0.2) * Float(2.0.squareRoot()) }
}
