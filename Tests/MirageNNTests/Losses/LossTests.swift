import Foundation
import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct LossTests {
    static let file = Fixtures.load("torch_losses")

    @Test(arguments: ["bce", "crossEntropy", "mse", "l1"])
    func matchesPyTorch(_ name: String) {
        let t = Self.file.tensors(under: name)
        let x = t["input"]!.requiringGrad(), target = t["target"]!
        let loss: Tensor = switch name {
        case "bce": binaryCrossEntropyWithLogits(x, target)
        case "crossEntropy": crossEntropy(x, target)
        case "mse": mseLoss(x, target)
        default: l1Loss(x, target)
        }
        expectClose(loss.reshaped([1]), t["value"]!.scalars, atol: 1e-6, rtol: 1e-5)
        loss.backward()
        expectClose(x.grad!, t["grad"]!.scalars, atol: 1e-6, rtol: 1e-4)
    }

    @Test func gaussianKLMatchesClosedForm() {
        let mu = Tensor([0.5, -1, 0, 2], shape: [2, 2]), logVar = Tensor([0, 0.3, -1, 0.7], shape: [2, 2])
        let expected = (0..<2).map { n in
            (0..<2).reduce(Float(0)) { acc, d in
                let m = mu.scalars[n * 2 + d], lv = logVar.scalars[n * 2 + d]
                return acc + 0.5 * (Foundation.exp(lv) + m * m - 1 - lv)
            }
        }
        expectClose(gaussianKLToStandardNormal(mu: mu, logVar: logVar), expected, shape: [2], atol: 1e-6)
        #expect(gaussianKLToStandardNormal(mu: Tensor.zeros([3, 4]), logVar: Tensor.zeros([3, 4])).scalars == [0, 0, 0])
    }

    @Test func logLikelihoods() {
        // Bernoulli: log σ(l) where x = 1, log(1 − σ(l)) where x = 0.
        let x = Tensor([1, 0, 1, 1], shape: [2, 2]), l = Tensor([2, -1, 0, 0.5], shape: [2, 2])
        let ll = bernoulliLogLikelihood(x, logits: l).scalars
        let sig = { (v: Float) in 1 / (1 + Foundation.exp(-v)) }
        #expect(Swift.abs(ll[0] - (Foundation.log(sig(2)) + Foundation.log(1 - sig(-1)))) < 1e-6)
        #expect(Swift.abs(ll[1] - (Foundation.log(sig(0)) + Foundation.log(sig(0.5)))) < 1e-6)
        // Standard normal at 0 in 3 dimensions: −1.5·log 2π.
        let g = gaussianLogLikelihood(Tensor.zeros([1, 3]), mean: Tensor.zeros([1, 3]), logVar: Tensor.zeros([1, 3]))
        #expect(Swift.abs(g.item + 1.5 * Float(Foundation.log(2 * Double.pi))) < 1e-6)
        GradCheck.check([GradCheck.input([2, 3], seed: 1), GradCheck.input([2, 3], seed: 2)]) {
            gaussianLogLikelihood(Tensor.ones([2, 3]), mean: $0[0], logVar: $0[1])
        }
    }

    @Test func hinge() {
        let real = Tensor([2, 0.5]), fake = Tensor([-3, 0])
        // relu(1 − 2) = 0, relu(0.5) = 0.5 → 0.25; relu(1 − 3) = 0, relu(1) = 1 → 0.5.
        #expect(hingeLoss(real: real, fake: fake).item == 0.75)
    }
}
