import Foundation
import MirageData
import MirageEval
import MirageTensor
import Testing

extension JudgeBackedTests {
    @Suite struct StackedMNISTModesTests {
        /// Real stacked test digits: the judge reads nearly every triple as its label, so
        /// 10,000 of them cover most of the 1,000 modes almost evenly.
        @Test func realStackedDigitsAreReadAsTheirModes() {
            let stacked = Shipped.mnistTest.stackedDigits(count: 10_000, seed: 5)
            let images = stacked.tensor(indices: Array(0..<stacked.count))
            let (modes, confident) = StackedMNISTModes.modes(of: images, judge: Shipped.judge)
            let agree = zip(modes, stacked.labels).filter { $0 == $1 }.count
            // The judge is 99% accurate per digit, so about 0.99³ ≈ 97% of triples are right.
            #expect(agree > 9600, "\(agree) of 10,000 triples read as their label")
            #expect(confident.filter { $0 }.count > 9600)
            let r = StackedMNISTModes.evaluate(samples: images, judge: Shipped.judge)
            // 10,000 uniform draws over 1,000 modes miss about 1000·e⁻¹⁰ ≈ 0.05 of them.
            #expect(r.modesCaptured >= 995 && r.modeCount == 1000 && r.modeHistogram.reduce(0, +) == 10_000)
            #expect(r.klToUniform < 0.08, "KL \(r.klToUniform)")
        }

        /// A generator that always draws the same digit in every channel (one triple) captures one
        /// mode, with KL = log 1000.
        @Test func oneRepeatedImageIsOneMode() {
            let seven = Shipped.mnistTest.labels.firstIndex(of: 7)!
            let digit = Shipped.mnistTest.tensor(indices: [seven])
            let images = Tensor.concat([digit, digit, digit], axis: 1).expanded(to: [50, 3, 28, 28])
            let r = StackedMNISTModes.evaluate(samples: images, judge: Shipped.judge)
            #expect(r.modesCaptured == 1 && r.modeHistogram[777] == 50)
            #expect(Swift.abs(r.klToUniform - log(1000.0)) < 1e-9)
        }
    }
}
