import Foundation
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct MLPCouplingFlowTests {
    @Test func shapesInverseAndNames() {
        let flow = MLPCouplingFlow(features: 784, hidden: 64, layers: 3, generator: RandomGenerator(seed: 0))
        let x = Tensor.rand([5, 784], generator: RandomGenerator(seed: 1))
        let (z, logDet) = flow(x)
        #expect(z.shape == [5, 784] && logDet.shape == [5])
        #expect(flow.negativeLogLikelihood(x).shape == [5])
        // Inverting every coupling recovers the input.
        let back = flow.couplings.reversed().reduce(z) { $1.inverse($0) }
        let error = zip(back.scalars, x.scalars).map { Swift.abs($0 - $1) }.max()!
        #expect(error < 1e-4, "inverse error \(error)")
        #expect(flow.sample(count: 2, generator: RandomGenerator(seed: 2)).shape == [2, 784])
        #expect(flow.namedBuffers().map(\.0).contains("couplings.0.m"))
        #expect(flow.namedParameters().map(\.0).contains("couplings.5.net.4.bias") == false)
        #expect(MLPCouplingFlow(generator: RandomGenerator(seed: 0)).namedParameters().map(\.0).contains("couplings.5.net.4.bias"))
    }

    /// The log-determinant is that of the Jacobian, checked by finite differences on 6 features.
    @Test func logDeterminantMatchesTheJacobian() {
        let coupling = AffineCoupling(features: 6, hidden: 8, parity: 1, generator: RandomGenerator(seed: 3))
        let x = Tensor.randn([1, 6], generator: RandomGenerator(seed: 4))
        let logDet = Double(coupling(x).logDeterminant.item)
        // The Jacobian is triangular in a permuted order, so its determinant is the product of
        // the diagonal; check the full Jacobian's diagonal and that masked rows are identity.
        var diagonalLog = 0.0
        let h: Float = 1e-3
        for i in 0..<6 {
            var plus = x.scalars, minus = x.scalars
            plus[i] += h; minus[i] -= h
            let yp = coupling(Tensor(plus, shape: [1, 6])).y.scalars, ym = coupling(Tensor(minus, shape: [1, 6])).y.scalars
            diagonalLog += Foundation.log(Swift.abs(Double(yp[i] - ym[i]) / Double(2 * h)))
            if i % 2 == 1 { #expect(Swift.abs(yp[i] - ym[i] - 2 * h) < 1e-5, "masked feature \(i) must pass through") }
        }
        #expect(Swift.abs(diagonalLog - logDet) < 1e-3, "log-det \(logDet), finite differences \(diagonalLog)")
    }

    /// 40 Adam steps on 512 dequantised digits: the test NLL must fall by at least 300 nats.
    @Test func trainingLowersTheNegativeLogLikelihood() {
        let g = RandomGenerator(seed: 5)
        let flow = MLPCouplingFlow(hidden: 256, generator: g)
        let opt = Adam(flow.trainableParameters(), learningRate: 1e-3)
        func dequantise(_ x: Tensor) -> Tensor { (x * 255 + Tensor.rand(x.shape, generator: g)) / 256 }
        let images = MNISTSubset.trainImages(512).reshaped([512, 784])
        let test = dequantise(MNISTSubset.testImages(128).reshaped([128, 784]))
        let before = withNoGrad { flow.negativeLogLikelihood(test).mean().item }
        for step in 0..<40 {
            let loss = flow.negativeLogLikelihood(dequantise(MNISTSubset.batch(images, step: step, size: 64))).mean()
            opt.zeroGrad(); loss.backward(); opt.step()
        }
        let after = withNoGrad { flow.negativeLogLikelihood(test).mean().item }
        #expect(after < before - 300, "test NLL \(before) → \(after) nats")
    }
}
