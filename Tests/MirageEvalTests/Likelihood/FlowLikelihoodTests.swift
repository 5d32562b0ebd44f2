import Foundation
import MirageEval
import MirageTensor
import Testing

@Suite struct FlowLikelihoodTests {
    @Test func standardNormalAtZero() {
        let d = FlowLikelihood.standardNormalLogDensity(Tensor.zeros([3, 2, 5]))
        #expect(d.shape == [3])
        #expect(d.scalars.allSatisfy { Swift.abs(Double($0) + 5 * log(2 * Double.pi)) < 1e-5 })
    }

    @Test func affineFlowGivesTheGaussianNLL() {
        // x ~ N(μ, s²) per dimension; the flow z = (x − μ)/s has log|det| = −D·log s.
        let (mu, s): (Float, Float) = (0.7, 2.5)
        let x = Tensor.randn([64, 10], mean: mu, std: s, generator: RandomGenerator(seed: 3))
        let z = (x - mu) / s
        let nll = FlowLikelihood.negativeLogLikelihood(z: z, logDeterminant: Tensor.full([64], -10 * Foundation.log(s)))
        for (i, value) in nll.scalars.enumerated() {
            let row = x.scalars[(i * 10)..<(i * 10 + 10)].map(Double.init)
            let expected = row.reduce(0) { $0 + 0.5 * ($1 - 0.7) * ($1 - 0.7) / 6.25 + 0.5 * log(2 * Double.pi * 6.25) }
            #expect(Swift.abs(Double(value) - expected) < 1e-4)
        }
        let bpd = FlowLikelihood.bitsPerDimension(negativeLogLikelihood: nll, dimensions: 10, scaledBy: 256)
        let mean = nll.scalars.reduce(0.0) { $0 + Double($1) } / 64
        #expect(Swift.abs(bpd - BitsPerDimension.fromNats(mean, dimensions: 10, scaledBy: 256)) < 1e-12)
    }

    @Test func nllIsDifferentiable() {
        let z = Tensor([0.5, -1, 2], shape: [1, 3]).requiringGrad()
        FlowLikelihood.negativeLogLikelihood(z: z, logDeterminant: Tensor([0])).sum().backward()
        // ∂(½‖z‖²)/∂z = z.
        #expect(z.grad!.scalars == [0.5, -1, 2])
    }
}
