import MirageNN
import MirageTensor
import Testing

/// ``Sequential`` runs a normalisation followed by an activation layer as one op.
@Suite struct SequentialFusionTests {
    /// Each layer applied on its own, in order: what `Sequential` computes without fusing.
    private func layerByLayer(_ s: Sequential, _ x: Tensor) -> Tensor {
        s.layers.reduce(x) { $1($0) }
    }

    @Test func fusedNormAndActivationGiveTheSameFloatsAndGradients() {
        let g = RandomGenerator(seed: 3)
        let nets = [
            Sequential(Conv2d(2, 8, kernelSize: 3, padding: 1, generator: g), BatchNorm2d(8), LeakyReLU(0.2),
                       Conv2d(8, 4, kernelSize: 3, generator: g)),
            Sequential(Conv2d(2, 8, kernelSize: 3, padding: 1, generator: g), InstanceNorm2d(8), ReLU(), Tanh()),
            Sequential(Conv2d(2, 8, kernelSize: 3, padding: 1, generator: g), GroupNorm(4, 8), SiLU()),
        ]
        let x = Tensor.randn([3, 2, 6, 6], generator: g)
        for net in nets {
            let y = withGrad { net(x) }
            let reference = withGrad { layerByLayer(net, x) }
            #expect(y.scalars == reference.scalars)
            let grads = gradients(of: y.sum(), wrt: net.parameters())
            let referenceGrads = gradients(of: reference.sum(), wrt: net.parameters())
            for (a, b) in zip(grads, referenceGrads) { #expect(a.scalars == b.scalars) }
        }
    }

    /// In evaluation a batch norm uses its running statistics, and the activation still follows.
    @Test func evaluationModeAppliesTheActivation() {
        let net = Sequential(BatchNorm2d(3), ReLU())
        net.eval()
        let x = Tensor.randn([2, 3, 4, 4], generator: RandomGenerator(seed: 4))
        #expect(net(x).scalars == net.layers[0](x).relu().scalars)
    }
}
