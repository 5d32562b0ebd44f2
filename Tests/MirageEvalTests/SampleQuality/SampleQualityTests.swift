import Foundation
import MirageData
import MirageEval
import MirageTensor
import Testing

extension JudgeBackedTests {
    @Suite struct SampleQualityTests {
        /// Real training digits score far better than uniform noise on every measure.
        @Test func realDigitsBeatNoise() throws {
            let reference = SampleQualityReference(name: "mnist/test", features: Shipped.testOutputs.features,
                                                   statistics: try ReferenceStatistics.mnistTest(judge: Shipped.judge))
            let real = Shipped.mnistTrain.tensor(indices: Array(0..<2000))
            let noise = Tensor.rand([2000, 1, 28, 28], generator: RandomGenerator(seed: 1))
            let good = SampleQuality.evaluate(samples: real, judge: Shipped.judge, reference: reference)
            let bad = SampleQuality.evaluate(samples: noise, judge: Shipped.judge, reference: reference)
            #expect(good.sampleCount == 2000 && good.referenceCount == 10_000 && good.reference == "mnist/test")
            #expect(good.frechetDistance * 20 < bad.frechetDistance, "real \(good.frechetDistance), noise \(bad.frechetDistance)")
            #expect(good.confidentShare > 0.95 && good.classesCovered == 10 && good.classKLToUniform < 0.01)
            #expect(good.classifierScore > 9 && good.precision > 0.6 && good.recall > 0.6)
            #expect(bad.recall < 0.01 && bad.confidentShare < 0.05 && bad.classifierScore < 2 && bad.classesCovered <= 2)
            // Precision is not asserted for noise: noise lands in one tight cluster of features that
            // a few atypical real digits' wide balls cover (the outlier caveat of Kynkäänniemi et al.).
            #expect(good.classHistogram.reduce(0, +) == 2000)
        }

        @Test func reportEncodesAsSnakeCaseJSON() throws {
            let report = SampleQualityReport(sampleCount: 4, reference: "r", referenceCount: 5, frechetDistance: 1.5,
                                             confidentShare: 0.5, confidenceThreshold: 0.9, classesCovered: 2,
                                             classHistogram: [2, 2], classKLToUniform: 0, classifierScore: 2,
                                             precision: 1, recall: 0.25, neighbours: 3)
            let data = try JSONEncoder().encode(report)
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            #expect(Set(object.keys) == ["sample_count", "reference", "reference_count", "frechet_distance", "confident_share",
                                         "confidence_threshold", "classes_covered", "class_histogram", "class_kl_to_uniform",
                                         "classifier_score", "precision", "recall", "neighbours"])
            #expect(try JSONDecoder().decode(SampleQualityReport.self, from: data) == report)
        }

        @Test func samplesFilesAreCheckedAndNamedInErrors() throws {
            let folder = TemporaryFolder()
            let good = folder.file("good.npy")
            try NPY.write(NPYArray(Tensor.rand([6, 1, 28, 28], generator: RandomGenerator(seed: 2))), to: good)
            #expect(try SampleQuality.readSamples(good).shape == [6, 1, 28, 28])
            #expect(try SampleQuality.readSamples(good, count: 4).shape == [4, 1, 28, 28])

            func expectBadSamples(_ path: String, mentioning words: String, count: Int? = nil) {
                let error = #expect(throws: EvalError.self) { try SampleQuality.readSamples(path, count: count) }
                guard case let .badSamples(file, reason) = error else { Issue.record("expected badSamples for \(path)"); return }
                #expect(file == path && reason.contains(words), "\(reason)")
            }
            let flat = folder.file("flat.npy")
            try NPY.write(NPYArray(Tensor.rand([6, 784], generator: RandomGenerator(seed: 3))), to: flat)
            expectBadSamples(flat, mentioning: "[6, 784]")
            let tanh = folder.file("tanh.npy")
            try NPY.write(NPYArray(Tensor.rand([6, 1, 28, 28], low: -1, high: 1, generator: RandomGenerator(seed: 3))), to: tanh)
            expectBadSamples(tanh, mentioning: "(x + 1) / 2")
            let bytes = folder.file("bytes.npy")
            try NPY.write(NPYArray(shape: [6, 1, 28, 28], values: .uint8([UInt8](repeating: 7, count: 6 * 784))), to: bytes)
            expectBadSamples(bytes, mentioning: "uint8")
            expectBadSamples(good, mentioning: "--count 7", count: 7)

            let missing = folder.file("missing.npy")
            let notFound = #expect(throws: DataError.self) { try SampleQuality.readSamples(missing) }
            #expect("\(notFound!)".contains(missing))
            let corrupt = folder.file("corrupt.npy")
            try Data([0x93, 0x4E, 0x55]).write(to: URL(fileURLWithPath: corrupt))
            let damaged = #expect(throws: DataError.self) { try SampleQuality.readSamples(corrupt) }
            #expect("\(damaged!)".contains(corrupt))
        }
    }
}
