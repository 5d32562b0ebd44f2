import Foundation
import MirageTensor

/// Weight initialisers with PyTorch's definitions (`torch.nn.init`).
///
/// Fans are computed as PyTorch does: for a weight of shape `[a, b, k…]`, fan-in is `b·Πk` and
/// fan-out `a·Πk`.
///
/// ```swift
/// conv.weight = Init.normal(conv.weight.shape, std: 0.02)          // DCGAN
/// fc.weight = Init.kaimingNormal(fc.weight.shape, nonlinearity: .relu)
/// ```
public enum Init {
    /// The activation that follows a layer, which sets the gain of Kaiming and Xavier schemes.
    public enum Nonlinearity {
        case linear, sigmoid, tanh, relu
        case leakyRelu(Float)

        /// `torch.nn.init.calculate_gain`.
        public var gain: Float {
            switch self {
            case .linear, .sigmoid: 1
            case .tanh: 5.0 / 3
            case .relu: Float(2).squareRoot()
            case .leakyRelu(let a): (2 / (1 + a * a)).squareRoot()
            }
        }
    }

    /// (fan-in, fan-out) of a weight shape.
    public static func fans(_ shape: [Int]) -> (Int, Int) {
        precondition(shape.count >= 2, "Init.fans: need at least 2 dimensions, got shape \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// Uniform on [−bound, bound].
    public static func uniform(_ shape: [Int], bound: Float, generator: RandomGenerator = .global) -> Tensor {
        Tensor.rand(shape, low: -bound, high: bound, generator: generator)
    }

    /// Normal with the given mean and standard deviation.
    public static func normal(_ shape: [Int], mean: Float = 0, std: Float, generator: RandomGenerator = .global) -> Tensor {
        Tensor.randn(shape, mean: mean, std: std, generator: generator)
    }

    /// He et al. (2015), uniform: bound = gain·√(3 / fan-in).
    public static func kaimingUniform(_ shape: [Int], nonlinearity: Nonlinearity = .leakyRelu(0),
                                      generator: RandomGenerator = .global) -> Tensor {
        uniform(shape, bound: nonlinearity.gain * (3 / Float(fans(shape).0)).squareRoot(), generator: generator)
    }

    /// He et al. (2015), normal: std = gain / √fan-in.
    public static func kaimingNormal(_ shape: [Int], nonlinearity: Nonlinearity = .leakyRelu(0),
                                     generator: RandomGenerator = .global) -> Tensor {
        normal(shape, std: nonlinearity.gain / Float(fans(shape).0).squareRoot(), generator: generator)
    }

    /// Glorot & Bengio (2010), uniform: bound = gain·√(6 / (fan-in + fan-out)).
    public static func xavierUniform(_ shape: [Int], gain: Float = 1, generator: RandomGenerator = .global) -> Tensor {
        let (i, o) = fans(shape)
        return uniform(shape, bound: gain * (6 / Float(i + o)).squareRoot(), generator: generator)
    }

    /// Glorot & Bengio (2010), normal: std = gain·√(2 / (fan-in + fan-out)).
    public static func xavierNormal(_ shape: [Int], gain: Float = 1, generator: RandomGenerator = .global) -> Tensor {
        let (i, o) = fans(shape)
        return normal(shape, std: gain * (2 / Float(i + o)).squareRoot(), generator: generator)
    }

    /// PyTorch's default for `Linear` and `Conv` layers: Kaiming uniform with a = √5 for the
    /// weight, which is U(−1/√fan-in, 1/√fan-in), and the same bound for the bias.
    static func torchDefault(weight shape: [Int], generator: RandomGenerator) -> (Tensor, Float) {
        let bound = 1 / Float(fans(shape).0).squareRoot()
        return (uniform(shape, bound: bound, generator: generator), bound)
    }
}
