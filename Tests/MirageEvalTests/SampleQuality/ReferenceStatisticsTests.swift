import Foundation
import MirageEval
import MirageTensor
import Testing

extension JudgeBackedTests {
    @Suite struct ReferenceStatisticsTests {
        /// The committed cache matches the shipped judge and recomputing it gives the same numbers.
        @Test func shippedCacheMatchesRecomputation() throws {
            let cachePath = try #require(ReferenceStatistics.cachePath(for: Shipped.judge))
            #expect(cachePath.hasSuffix("Data/judge/mnist-test-stats.safetensors"))
            let cached = try ReferenceStatistics.read(from: cachePath)
            #expect(cached.judgeFingerprint == Shipped.judge.fingerprint, "stale cache: rerun mirage eval train-judge --stats-only")
            #expect(cached.count == 10_000 && cached.dataset == "mnist/test")
            let fresh = Gaussian(fitting: Shipped.testOutputs.features)
            let meanScale = fresh.mean.map(Swift.abs).max()!, covScale = fresh.covariance.elements.map(Swift.abs).max()!
            #expect(zip(cached.gaussian.mean, fresh.mean).allSatisfy { Swift.abs($0 - $1) <= 1e-5 * meanScale })
            #expect(cached.gaussian.covariance.maxAbsoluteDifference(fresh.covariance) <= 1e-5 * covScale)
            #expect(FrechetDistance.between(cached.gaussian, fresh) < 1e-3)
            let loaded = try ReferenceStatistics.mnistTest(judge: Shipped.judge)
            #expect(loaded.gaussian == cached.gaussian)
        }

        @Test func writeReadRoundTripAndErrors() throws {
            let folder = TemporaryFolder()
            let stats = ReferenceStatistics(gaussian: Gaussian(mean: [1, 2], covariance: Matrix([[2, 0.5], [0.5, 1]])),
                                            count: 7, dataset: "toy", judgeFingerprint: "00ff")
            try stats.write(to: folder.file("s.safetensors"))
            let back = try ReferenceStatistics.read(from: folder.file("s.safetensors"))
            #expect(back.gaussian == stats.gaussian && back.count == 7 && back.dataset == "toy" && back.judgeFingerprint == "00ff")
            let missing = folder.file("none.safetensors")
            let error = #expect(throws: EvalError.self) { try ReferenceStatistics.read(from: missing) }
            #expect("\(error!)".contains(missing))
        }

        @Test func judgeWithOtherWeightsIgnoresTheCache() throws {
            // A judge in memory has no cache; its statistics are computed from its own features.
            let judge = MNISTJudge(generator: RandomGenerator(seed: 9))
            let stats = try ReferenceStatistics.mnistTest(judge: judge)
            #expect(stats.judgeFingerprint == judge.fingerprint && stats.judgeFingerprint != Shipped.judge.fingerprint)
        }
    }
}
