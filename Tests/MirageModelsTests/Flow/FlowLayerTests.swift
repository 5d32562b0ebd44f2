import Foundation
import MirageEval
import MirageModels
import MirageNN
import MirageTensor
import Testing

/// Every invertible layer of the image flows: it inverts, and its log-determinant is the true
/// one, checked against the full Jacobian built by autograd on a tiny input.
@Suite struct FlowLayerTests {
    /// Each builds its layer for inputs of the given height and width.
    static let layers: [String: (Int, Int) -> any FlowLayer] = [
        "squeeze": { _, _ in Squeeze() },
        "actnorm": { _, _ in
            let layer = ActNorm(4)
            // Initialised on data of another mean and spread, so its map is not the identity.
            _ = layer(Tensor.randn([8, 4, 2, 2], generator: RandomGenerator(seed: 1)) * 3 + 1)
            return layer
        },
        "invconv": { _, _ in
            let layer = InvertibleConv1x1(4, generator: RandomGenerator(seed: 2))
            // It starts as a rotation (log-determinant 0); move every factor off it.
            for p in [layer.lower, layer.upper, layer.logScale] {
                p.assign(p + Tensor.randn(p.shape, generator: RandomGenerator(seed: 9)) * 0.3)
            }
            return layer
        },
        "coupling": { _, _ in
            let layer = ConvAffineCoupling(4, hidden: 6, generator: RandomGenerator(seed: 3))
            // The last convolution starts at zero; give it weights so the scale and shift vary.
            for p in layer.parameters() { p.assign(Tensor.randn(p.shape, generator: RandomGenerator(seed: 4)) * 0.5) }
            return layer
        },
        "realnvp-checkerboard-0": { realNVPCoupling(.checkerboard(parity: 0), height: $0, width: $1) },
        "realnvp-checkerboard-1": { realNVPCoupling(.checkerboard(parity: 1), height: $0, width: $1) },
        "realnvp-channels-0": { realNVPCoupling(.channels(parity: 0), height: $0, width: $1) },
        "realnvp-channels-1": { realNVPCoupling(.channels(parity: 1), height: $0, width: $1) },
    ]

    /// A RealNVP coupling for 4×H×W inputs with every weight drawn (its last convolution starts
    /// at zero, which would make it the identity).
    static func realNVPCoupling(_ mask: RealNVPCoupling.Mask, height: Int, width: Int) -> any FlowLayer {
        let layer = RealNVPCoupling(channels: 4, height: height, width: width, mask: mask, hidden: 6, blocks: 1, generator: RandomGenerator(seed: 10))
        for p in layer.parameters() { p.assign(Tensor.randn(p.shape, generator: RandomGenerator(seed: 11)) * 0.5) }
        return layer
    }

    @Test(arguments: layers.keys.sorted())
    func inverts(_ name: String) {
        let layer = Self.layers[name]!(4, 6)
        let x = Tensor.randn([3, 4, 4, 6], generator: RandomGenerator(seed: 5))
        let (y, logDet) = withNoGrad { layer(x) }
        #expect(logDet.shape == [3])
        let back = withNoGrad { layer.inverse(y) }
        #expect((back - x).abs().max().item < 1e-4, "\(name): x → y → x is off by \((back - x).abs().max().item)")
    }

    /// log |det ∂y/∂x| from the layer equals the log-determinant of the 16×16 Jacobian of one
    /// 4×2×2 example, computed row by row with autograd.
    @Test(arguments: layers.keys.sorted())
    func logDeterminantIsTheJacobians(_ name: String) {
        let layer = Self.layers[name]!(2, 2)
        let x = Tensor.randn([1, 4, 2, 2], generator: RandomGenerator(seed: 6)).requiringGrad()
        let (y, logDet) = layer(x)
        let d = 16
        let flat = y.reshaped([d])
        var jacobian = Matrix(zeros: d, d)
        for i in 0..<d {
            let row = gradients(of: flat.sliced(axis: 0, i..<(i + 1)).sum(), wrt: [x])[0].scalars
            for j in 0..<d { jacobian[i, j] = Double(row[j]) }
        }
        let bruteForce = Foundation.log(Swift.abs(LUDecomposition(jacobian).determinant))
        #expect(Swift.abs(Double(logDet.item) - bruteForce) < 1e-4 * max(1, Swift.abs(bruteForce)),
                "\(name): layer says \(logDet.item), the Jacobian \(bruteForce)")
    }

    @Test func actNormStartsWithZeroMeanAndUnitVariancePerChannel() {
        let layer = ActNorm(3)
        let x = Tensor.randn([16, 3, 5, 5], generator: RandomGenerator(seed: 7)) * Tensor([0.5, 2, 7], shape: [1, 3, 1, 1])
            + Tensor([-1, 0, 4], shape: [1, 3, 1, 1])
        let y = withNoGrad { layer(x).y }
        let mean = y.mean(axes: [0, 2, 3]), variance = (y * y).mean(axes: [0, 2, 3]) - mean * mean
        #expect(mean.abs().max().item < 1e-5 && (variance - 1).abs().max().item < 1e-4)
        #expect(layer.initialized.item == 1)
        // Later batches do not initialise again.
        let before = layer.bias.scalars
        _ = withNoGrad { layer(x * 5) }
        #expect(layer.bias.scalars == before)
    }

    @Test func invertibleConvolutionStartsAsARotation() {
        let layer = InvertibleConv1x1(8, generator: RandomGenerator(seed: 8))
        let w = Matrix(layer.weight)
        #expect((w.transposed * w).maxAbsoluteDifference(.identity(8)) < 1e-5)
        #expect(Swift.abs(layer.logScale.sum().item) < 1e-4)
    }
}
