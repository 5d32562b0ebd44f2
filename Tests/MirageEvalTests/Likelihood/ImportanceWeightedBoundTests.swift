import Foundation
import MirageEval
import MirageTensor
import Testing

/// A linear Gaussian model whose marginal likelihood is known: z ~ N(0, 1), x | z ~ N(z, σ²),
/// so p(x) = N(0, 1 + σ²) and the posterior is N(x/(1 + σ²), σ²/(1 + σ²)).
private struct LinearGaussian {
    let noiseVariance: Float = 0.5
    var posteriorVariance: Float { noiseVariance / (1 + noiseVariance) }

    func logNormal(_ x: Tensor, mean: Tensor, variance: Float) -> Tensor {
        let d = x - mean
        return d * d * (-0.5 / variance) - Float(0.5 * log(2 * Double.pi * Double(variance)))
    }

    /// log p(x) per example.
    func exactLogLikelihood(_ x: [Float]) -> [Double] {
        let v = 1 + Double(noiseVariance)
        return x.map { -0.5 * Double($0) * Double($0) / v - 0.5 * log(2 * Double.pi * v) }
    }

    /// [k, N] log-weights with the proposal q(z | x) = N(x/(1 + σ²) + shift, scale²·posterior variance).
    func logWeights(_ x: Tensor, draws k: Int, shift: Float, scale: Float, generator: RandomGenerator) -> Tensor {
        let n = x.shape[0]
        let qMean = x.reshaped([1, n]) / (1 + noiseVariance) + shift
        let qVariance = scale * scale * posteriorVariance
        let z = qMean + Tensor.randn([k, n], generator: generator) * qVariance.squareRoot()
        return logNormal(z, mean: Tensor.zeros([1, 1]), variance: 1)
            + logNormal(x.reshaped([1, n]), mean: z, variance: noiseVariance)
            - logNormal(z, mean: qMean, variance: qVariance)
    }
}

@Suite struct ImportanceWeightedBoundTests {
    private let model = LinearGaussian()
    private let x = Tensor.randn([400], std: 1.2, generator: RandomGenerator(seed: 21))

    @Test func trueProposalGivesTheExactLikelihoodForEveryK() {
        let exact = model.exactLogLikelihood(x.scalars)
        for k in [1, 7, 100] {
            let w = model.logWeights(x, draws: k, shift: 0, scale: 1, generator: RandomGenerator(seed: UInt64(k)))
            for bound in [ImportanceWeightedBound.estimate(logWeights: w), ImportanceWeightedBound.elbo(logWeights: w)] {
                #expect(bound.shape == [400])
                let worst = zip(bound.scalars, exact).map { Swift.abs(Double($0) - $1) }.max()!
                #expect(worst < 2e-5, "k = \(k): off by \(worst)")
            }
        }
    }

    @Test func poorProposalBoundRisesWithKTowardTheTruth() {
        let truth = model.exactLogLikelihood(x.scalars).reduce(0, +) / 400
        var previous = -Double.infinity
        var gaps: [Double] = []
        for k in [1, 10, 100, 1000] {
            let w = model.logWeights(x, draws: k, shift: 0.6, scale: 1.8, generator: RandomGenerator(seed: 100 + UInt64(k)))
            let mean = ImportanceWeightedBound.estimate(logWeights: w).scalars.reduce(0.0) { $0 + Double($1) } / 400
            #expect(mean > previous, "k = \(k): bound \(mean) did not rise above \(previous)")
            #expect(mean < truth, "k = \(k): bound \(mean) above log p(x) = \(truth)")
            previous = mean
            gaps.append(truth - mean)
        }
        // log p(x) − ELBO = KL(q ‖ posterior) = ½(c² + s²/v − 1 − log c²) for q = N(μ + s, c²v).
        let v = Double(model.posteriorVariance)
        let klToPosterior = 0.5 * (1.8 * 1.8 + 0.36 / v - 1 - log(1.8 * 1.8))
        #expect(Swift.abs(gaps[0] - klToPosterior) < 0.15 && gaps[3] < 0.02, "gaps \(gaps), KL \(klToPosterior)")
        // The ELBO with k draws estimates L₁, not L_k: averaging lowers its variance, not its gap.
        let w = model.logWeights(x, draws: 1000, shift: 0.6, scale: 1.8, generator: RandomGenerator(seed: 5))
        let elbo = ImportanceWeightedBound.elbo(logWeights: w).scalars.reduce(0.0) { $0 + Double($1) } / 400
        #expect(Swift.abs((truth - elbo) - klToPosterior) < 0.01, "ELBO gap \(truth - elbo), KL \(klToPosterior)")
    }

    @Test func accumulatorMatchesOneShotEstimate() {
        let w = model.logWeights(x, draws: 90, shift: 0.3, scale: 1.5, generator: RandomGenerator(seed: 77))
        let oneShot = ImportanceWeightedBound.estimate(logWeights: w).scalars
        var accumulator = ImportanceWeightedBound.Accumulator(examples: 400)
        for chunk in w.chunked(9, axis: 0) { accumulator.add(logWeights: chunk) }
        #expect(accumulator.draws == 90)
        let worst = zip(accumulator.bounds, oneShot).map { Swift.abs($0 - Double($1)) }.max()!
        #expect(worst < 1e-5)
    }

    @Test func stableForHugeWeightsAndImpossibleSamples() {
        // log-weights of −2000 would underflow exp in Float and in Double; the bound is exact.
        let w = Tensor([-2000, -.infinity, -2001, -.infinity, -2002, -.infinity], shape: [3, 2])   // columns: examples
        let bound = ImportanceWeightedBound.estimate(logWeights: w).scalars
        let expected = -2000 + log((1 + exp(-1.0) + exp(-2.0)) / 3)
        #expect(Swift.abs(Double(bound[0]) - expected) < 1e-3)
        #expect(bound[1] == -.infinity)
        var accumulator = ImportanceWeightedBound.Accumulator(examples: 2)
        accumulator.add(logWeights: w)
        #expect(Swift.abs(accumulator.bounds[0] - expected) < 1e-9 && accumulator.bounds[1] == -.infinity)
    }
}
