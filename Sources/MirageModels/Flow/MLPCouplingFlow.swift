import Foundation
import MirageNN
import MirageTensor

/// A stack of affine couplings with alternating checkerboard masks and a standard normal base:
/// an exactly invertible model with an exact log-likelihood on flat vectors. The default is the
/// `realnvp` benchmark's flow on flattened MNIST: 6 couplings, MLP 784-512-512-1568 (the
/// multi-scale convolutional model is ``RealNVP``).
///
/// ```swift
/// let flow = MLPCouplingFlow(generator: RandomGenerator(seed: 0))
/// let nll = flow.negativeLogLikelihood(x).mean() // nats per example
/// ```
public final class MLPCouplingFlow: Module {
    public let couplings: [AffineCoupling]
    public let features: Int

    public init(features: Int = 784, hidden: Int = 512, layers: Int = 6, generator g: RandomGenerator = .global) {
        precondition(layers > 0, "MLPCouplingFlow: needs at least one coupling layer, got \(layers)")
        self.features = features
        couplings = (0..<layers).map { AffineCoupling(features: features, hidden: hidden, parity: $0 % 2, generator: g) }
    }

    /// Maps data to the base space; returns `z` and the summed log-determinant per example.
    public func callAsFunction(_ x: Tensor) -> (z: Tensor, logDeterminant: Tensor) {
        var h = x
        var total: Tensor?
        for c in couplings {
            let (y, ld) = c(h)
            h = y
            total = total.map { $0 + ld } ?? ld
        }
        return (h, total!)
    }

    /// −log p(x) per example in nats: `½‖z‖² + (d/2)·log 2π − log |det ∂z/∂x|`.
    public func negativeLogLikelihood(_ x: Tensor) -> Tensor {
        let (z, logDet) = self(x)
        return (z * z).sum(axis: 1) * 0.5 + Float(0.5 * Double(features) * Foundation.log(2 * Double.pi)) - logDet
    }

    /// Draws `count` samples by inverting the flow on standard normal noise.
    public func sample(count: Int, generator: RandomGenerator) -> Tensor {
        withNoGrad {
            couplings.reversed().reduce(Tensor.randn([count, features], generator: generator)) { $1.inverse($0) }
        }
    }
}
