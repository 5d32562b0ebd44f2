import Foundation
import MirageData
import Testing

/// `mirage eval anomaly` and `mirage eval augment` as a user runs them, on briefly trained runs.
@Suite struct UsesCommandTests {
    /// The Mann–Whitney AUROC by its definition, every anomaly against every normal, ties one half:
    /// the probability that an anomaly scores above a normal image.
    static func auroc(_ scores: [Float], isAnomaly: [Bool]) -> Double {
        let anomalies = zip(scores, isAnomaly).filter(\.1).map(\.0), normals = zip(scores, isAnomaly).filter { !$0.1 }.map(\.0)
        var wins = 0.0
        for a in anomalies { for n in normals { wins += a > n ? 1 : a == n ? 0.5 : 0 } }
        return wins / Double(anomalies.count * normals.count)
    }

    /// The AUROC the command reports is the one its written scores give, recomputed here from the
    /// scores and the test labels (sevens are the anomalies) in both protocols: the same pairs,
    /// so equal up to the last bits of the division.
    @Test func anomalyScoresAHeldOutClass() throws {
        let dir = CLI.temporaryDirectory("anomaly")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("ae-no7").path
        let trained = try CLI.run(["train", "ae", "--exclude-class", "7", "--steps", "20", "--subset", "640", "--batch-size", "32", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let scores = dir.appendingPathComponent("scores.npy").path
        let scored = try CLI.run(["eval", "anomaly", run, "--count", "500", "--json", "--scores", scores])
        #expect(scored.status == 0, "\(scored.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(scored.stdout.utf8)) as! [String: Any]
        #expect(result["anomaly_class"] as? Int == 7 && result["excluded_class"] as? Int == 7 && result["score"] as? String == "recon")
        let auroc = try #require(result["auroc"] as? Double)
        let written = try NPY.read(scores)
        #expect(written.shape == [500])
        let sevens = try ImageDataset.mnist(split: .test).labels.prefix(500).map { $0 == 7 }
        let recomputed = Self.auroc(written.tensor.scalars, isAnomaly: sevens)
        #expect(Swift.abs(auroc - recomputed) < 1e-12, "reported AUROC \(auroc), the written scores give \(recomputed)")
        // The sevens among the first 500 test images are the anomalies.
        #expect(result["anomalies"] as? Int == MNISTCounts.sevensInFirst500)

        // Tonnaer's protocol: the training sevens, which the run never saw, against the other test digits.
        let trainScores = dir.appendingPathComponent("train-scores.npy").path
        let fromTrain = try CLI.run(["eval", "anomaly", run, "--count", "500", "--json", "--anomalies", "train", "--scores", trainScores])
        #expect(fromTrain.status == 0, "\(fromTrain.stderr)")
        let trainResult = try JSONSerialization.jsonObject(with: Data(fromTrain.stdout.utf8)) as! [String: Any]
        #expect(trainResult["anomalies"] as? Int == MNISTCounts.trainingSevens && trainResult["anomalies_from"] as? String == "train")
        #expect(trainResult["normals"] as? Int == 500 - MNISTCounts.sevensInFirst500)
        // The normals' scores come first, the same as in the test-split protocol, image for image.
        let normalScores = zip(written.tensor.scalars, sevens).filter { !$1 }.map(\.0)
        let trainWritten = try NPY.read(trainScores).tensor.scalars
        #expect(trainWritten.count == 500 - MNISTCounts.sevensInFirst500 + MNISTCounts.trainingSevens)
        #expect(Array(trainWritten.prefix(normalScores.count)) == normalScores)
        let trainAUROC = try #require(trainResult["auroc"] as? Double)
        let trainRecomputed = Self.auroc(trainWritten, isAnomaly: trainWritten.indices.map { $0 >= normalScores.count })
        #expect(Swift.abs(trainAUROC - trainRecomputed) < 1e-12, "reported AUROC \(trainAUROC), the written scores give \(trainRecomputed)")

        let wrongScore = try CLI.run(["eval", "anomaly", run, "--score", "fanogan"])
        #expect(wrongScore.status != 0 && wrongScore.stderr.contains("its scores: recon"), "\(wrongScore.stderr)")
        let noSuchClass = try CLI.run(["eval", "anomaly", run, "--anomaly-class", "12"])
        #expect(noSuchClass.status != 0 && noSuchClass.stderr.contains("0...9"), "\(noSuchClass.stderr)")
        let resumed = try CLI.run(["train", "ae", "--resume", "--exclude-class", "3", "--steps", "30", "--out", run])
        #expect(resumed.status != 0 && resumed.stderr.contains("--exclude-class 3 differs from the run's 7"), "\(resumed.stderr)")

        let everyClass = dir.appendingPathComponent("ae").path
        #expect(try CLI.run(["train", "ae", "--steps", "2", "--subset", "64", "--out", everyClass]).status == 0)
        let noClass = try CLI.run(["eval", "anomaly", everyClass])
        #expect(noClass.status != 0 && noClass.stderr.contains("--exclude-class K"), "\(noClass.stderr)")
        let seenTraining = try CLI.run(["eval", "anomaly", everyClass, "--anomaly-class", "3", "--anomalies", "train"])
        #expect(seenTraining.status != 0 && seenTraining.stderr.contains("which \(everyClass) trained on"), "\(seenTraining.stderr)")
        // A GAN trained on fewer images than one batch of the f-AnoGAN encoder is refused, not trapped on.
        let tiny = dir.appendingPathComponent("dcgan-tiny").path
        #expect(try CLI.run(["train", "dcgan", "--exclude-class", "1", "--subset", "32", "--batch-size", "16", "--steps", "1", "--out", tiny]).status == 0)
        let tooFew = try CLI.run(["eval", "anomaly", tiny, "--score", "fanogan", "--count", "200"])
        #expect(tooFew.status != 0 && tooFew.stderr.contains("fewer than one batch (64)"), "\(tooFew.stderr)")
        let points = try CLI.run(["train", "gan", "--dataset", "ring8", "--exclude-class", "1", "--steps", "1", "--out", dir.appendingPathComponent("gan").path])
        #expect(points.status != 0 && points.stderr.contains("needs labelled data"), "\(points.stderr)")
    }

    @Test func augmentRefusesAGeneratorThatSawMoreLabels() throws {
        let dir = CLI.temporaryDirectory("augment")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("cgan-64").path
        let trained = try CLI.run(["train", "cgan", "--subset", "64", "--steps", "2", "--out", run])
        #expect(trained.status == 0, "\(trained.stderr)")
        let refused = try CLI.run(["eval", "augment", "--labelled", "32", "--generator", run])
        #expect(refused.status != 0 && refused.stderr.contains("the first 64 labelled training images") && refused.stderr.contains("--subset 32"),
                "\(refused.stderr)")
        let ok = try CLI.run(["eval", "augment", "--labelled", "64", "--generator", run, "--synthetic", "20", "--seeds", "1", "--epochs", "1", "--json"])
        #expect(ok.status == 0, "\(ok.stderr)")
        let result = try JSONSerialization.jsonObject(with: Data(ok.stdout.utf8)) as! [String: Any]
        #expect((result["accuracy_without"] as? [Double])?.count == 1 && (result["accuracy_with"] as? [Double])?.count == 1)
        #expect((result["generator_saw"] as? String)?.contains("first 64") == true)
        let unconditional = dir.appendingPathComponent("ae").path
        #expect(try CLI.run(["train", "ae", "--steps", "1", "--subset", "64", "--out", unconditional]).status == 0)
        let notConditional = try CLI.run(["eval", "augment", "--generator", unconditional])
        #expect(notConditional.status != 0 && notConditional.stderr.contains("not a class-conditional model"), "\(notConditional.stderr)")
    }
}

/// Counts in the bundled MNIST test split that the tests rely on.
enum MNISTCounts {
    static let sevensInFirst500: Int = {
        let test = try! ImageDataset.mnist(split: .test)
        return test.labels.prefix(500).filter { $0 == 7 }.count
    }()
    static let trainingSevens: Int = try! ImageDataset.mnist(split: .train).labels.filter { $0 == 7 }.count
}
