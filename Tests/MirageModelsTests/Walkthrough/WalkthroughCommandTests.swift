import Foundation
import MirageCLI
import MirageData
import MirageModels
import MirageTensor
import Testing

/// "Writing a model", to the end: a model defined in this test target, registered with one line,
/// goes through the `mirage` commands themselves (in process): train, sample with its own
/// sampling option, eval, and bench, with nothing in Mirage's sources naming it.
@Suite(.serialized) struct WalkthroughCommandTests {
    static func mirage(_ arguments: [String]) throws {
        ModelRegistry.register(ClassGaussianKind.self)
        var command = try Mirage.parseAsRoot(arguments)
        try command.run()
    }

    @Test func trainSampleEvalAndBenchARegisteredModel() throws {
        let dir = FileManager.default.temporaryDirectory
            .appendingPathComponent("mirage-walkthrough-commands-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: dir)
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let run = dir + "/run", means = dir + "/means.npy", draws = dir + "/draws.npy"

        try Self.mirage(["train", "class-gaussian", "--steps", "20", "--batch-size", "64", "--subset", "1024", "--out", run])
        #expect(FileManager.default.fileExists(atPath: RunFolder(run).lastCheckpoint.path))

        // Its own option: --spread 0 draws the class's mean image, the same for every sample.
        try Self.mirage(["sample", run, "--class", "7", "--spread", "0", "--count", "3", "--out", means])
        let m = try NPY.read(means).tensor
        #expect(m.shape == [3, 1, 28, 28])
        #expect(m.sliced(axis: 0, 1..<2).scalars == m.sliced(axis: 0, 0..<1).scalars)
        try Self.mirage(["sample", run, "--class", "7", "--count", "3", "--out", draws])
        #expect(try NPY.read(draws).tensor.sliced(axis: 0, 0..<1).scalars != m.sliced(axis: 0, 0..<1).scalars)
        // Another model's sampling option is refused.
        #expect(throws: (any Error).self) { try Self.mirage(["sample", run, "--temperature", "0.7", "--out", draws]) }

        // A likelihood model: eval nll takes it; a reconstruction command names the models that can.
        try Self.mirage(["eval", "nll", run, "--count", "50", "--json"])
        #expect(throws: MissingCapability.self) { try Self.mirage(["eval", "reconstruction", run, "--count", "50"]) }

        // Its benchmark is one of bench's targets, and the worker times it.
        #expect(ModelBenchmark.named("class_gaussian") != nil)
        try Self.mirage(["bench", "--worker", "class_gaussian", "--steps", "2"])
    }
}
