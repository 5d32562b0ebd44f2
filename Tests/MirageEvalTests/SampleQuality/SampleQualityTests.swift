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

        /// A file scored a chunk at a time reports what the same images in memory do; precision and
        /// recall use the first samples, as many as the reference's neighbour set holds (here 500
        /// of 1,300), and nothing else about the samples is kept.
        @Test func fileScoredInChunksMatchesMemory() throws {
            let reference = SampleQualityReference(name: "mnist/test", features: Shipped.testOutputs.features.sliced(axis: 0, 0..<500),
                                                   statistics: try ReferenceStatistics.mnistTest(judge: Shipped.judge))
            let images = Shipped.mnistTrain.tensor(indices: Array(0..<1300))
            let folder = TemporaryFolder()
            let path = folder.file("samples.npy")
            try NPY.write(NPYArray(images), to: path)
            let inMemory = SampleQuality.evaluate(samples: images, judge: Shipped.judge, reference: reference)
            let fromFile = try SampleQuality.evaluate(file: path, judge: Shipped.judge, reference: reference, chunk: 128)
            #expect(fromFile.sampleCount == 1300 && fromFile.neighbourSampleCount == 500 && inMemory.neighbourSampleCount == 500)
            #expect(Swift.abs(fromFile.frechetDistance - inMemory.frechetDistance) < 1e-6 * inMemory.frechetDistance)
            // The judge's arithmetic may round differently in a batch of 128 than of 1,300: a point on
            // a ball's edge may move, one in 500 (0.002).
            #expect(zip(fromFile.classHistogram, inMemory.classHistogram).map { Swift.abs($0 - $1) }.reduce(0, +) <= 2)
            let first = Shipped.judge.evaluate(images.sliced(axis: 0, 0..<500)).features
            let expected = PrecisionRecall.compute(real: reference.features, generated: first)
            for report in [fromFile, inMemory] {
                #expect(Swift.abs(report.precision - expected.precision) <= 0.0041 && Swift.abs(report.recall - expected.recall) <= 0.0041)
            }
            #expect(fromFile.recall > 0.5, "recall \(fromFile.recall)")
        }

        @Test func reportEncodesAsSnakeCaseJSON() throws {
            let report = SampleQualityReport(sampleCount: 4, reference: "r", referenceCount: 5, frechetDistance: 1.5,
                                             confidentShare: 0.5, confidenceThreshold: 0.9, classesCovered: 2,
                                             classHistogram: [2, 2], classKLToUniform: 0, classifierScore: 2,
                                             precision: 1, recall: 0.25, neighbours: 3, neighbourSampleCount: 4)
            let data = try JSONEncoder().encode(report)
            let object = try JSONSerialization.jsonObject(with: data) as! [String: Any]
            #expect(Set(object.keys) == ["sample_count", "reference", "reference_count", "frechet_distance", "confident_share",
                                         "confidence_threshold", "classes_covered", "class_histogram", "class_kl_to_uniform",
                                         "classifier_score", "precision", "recall", "neighbours",
                                         "neighbour_sample_count"])
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
