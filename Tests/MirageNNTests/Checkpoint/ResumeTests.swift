import Foundation
import MirageNN
import MirageTensor
import Testing

/// Training, saving, loading in a fresh process and training on gives bit-identical weights to
/// an uninterrupted run: parameters, batch-norm buffers, Adam's moments and the dropout RNG all
/// come back.
@Suite struct ResumeTests {
    static let steps = 5
    static let checkpointPath = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-resume-test.safetensors")
    static let resultPath = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-resume-result.safetensors")

    final class Net: Module, Layer {
        let fc1: Linear, bn: BatchNorm1d, drop: Dropout, fc2: Linear
        let rng: RandomGenerator
        override init() {
            let g = RandomGenerator(seed: 11)
            rng = RandomGenerator(seed: 12)
            fc1 = Linear(8, 16, generator: g)
            bn = BatchNorm1d(16)
            drop = Dropout(p: 0.3, generator: rng)
            fc2 = Linear(16, 1, generator: g)
        }
        func callAsFunction(_ x: Tensor) -> Tensor { fc2(drop(bn(fc1(x)).relu())) }
    }

    /// One Adam step on a batch that depends only on the step number.
    static func train(_ net: Net, _ opt: Adam, step: Int) {
        let g = RandomGenerator(seed: 1000 + UInt64(step))
        let x = Tensor.randn([16, 8], generator: g), y = x.sum(axis: 1, keepDims: true).sin()
        let d = net(x) - y
        (d * d).mean().backward()
        opt.step()
        opt.zeroGrad()
    }

    static func save(_ net: Net, _ opt: Adam, to url: URL) throws {
        var file = Checkpoint(metadata: ["rng": net.rng.state.map(String.init).joined(separator: ",")])
        file.insert(net.stateDict(), under: "model")
        file.insert(opt.stateDict().map { ($0.key, $0.value) }, under: "optimizer")
        try file.write(to: url)
    }

    static func load(from url: URL) throws -> (Net, Adam) {
        let file = try Checkpoint.read(from: url)
        let net = Net()
        let opt = Adam(net.trainableParameters(), learningRate: 1e-2)
        try net.loadStateDict(file.tensors(under: "model"))
        try opt.loadStateDict(file.tensors(under: "optimizer"))
        net.rng.state = file.metadata["rng"]!.split(separator: ",").map { UInt64($0)! }
        return (net, opt)
    }

    @Test func resumeInAFreshProcessIsBitExact() async throws {
        let reference = Net()
        let refOpt = Adam(reference.trainableParameters(), learningRate: 1e-2)
        for s in 0..<(2 * Self.steps) { Self.train(reference, refOpt, step: s) }

        let first = Net()
        let opt = Adam(first.trainableParameters(), learningRate: 1e-2)
        for s in 0..<Self.steps { Self.train(first, opt, step: s) }
        try Self.save(first, opt, to: Self.checkpointPath)
        defer {
            try? FileManager.default.removeItem(at: Self.checkpointPath)
            try? FileManager.default.removeItem(at: Self.resultPath)
        }

        await #expect(processExitsWith: .success) {
            let (net, opt) = try ResumeTests.load(from: ResumeTests.checkpointPath)
            for s in ResumeTests.steps..<(2 * ResumeTests.steps) { ResumeTests.train(net, opt, step: s) }
            try Checkpoint(tensors: Dictionary(uniqueKeysWithValues: net.stateDict())).write(to: ResumeTests.resultPath)
        }
        let resumed = try Checkpoint.read(from: Self.resultPath).tensors
        for (key, value) in reference.stateDict() {
            #expect(resumed[key]?.scalars.map(\.bitPattern) == value.scalars.map(\.bitPattern), "\(key) differs")
        }
    }
}
