import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor
import Testing

@Suite struct UpdaterTests {
    /// The hook sees the backward pass's gradients and what it leaves is what the optimizer uses:
    /// SGD's step on a doubled gradient moves the weights twice as far.
    @Test func theHookActsBetweenBackwardAndStep() {
        func step(hook: (([Tensor]) -> Void)?) -> (moved: [Float], gradsAfter: Bool) {
            let net = Linear(3, 1, generator: RandomGenerator(seed: 1))
            let before = net.weight.scalars
            let sgd = SGD(net.trainableParameters(), learningRate: 0.1)
            let x = Tensor.randn([4, 3], generator: RandomGenerator(seed: 2))
            Updater(gradientHook: hook).minimize((net(x) * net(x)).mean(), with: sgd)
            return (zip(net.weight.scalars, before).map { $0 - $1 }, net.trainableParameters().contains { $0.grad != nil })
        }
        var seen: [[Int]] = []
        let plain = step(hook: nil)
        let doubled = step { parameters in
            seen = parameters.map(\.shape)
            for p in parameters { p.grad = p.grad! * 2 }
        }
        #expect(seen == [[1, 3], [1]])
        #expect(plain.moved.allSatisfy { $0 != 0 })
        for (a, b) in zip(doubled.moved, plain.moved) { #expect(abs(a - 2 * b) <= 1e-6 * abs(b) + 1e-9) }
        #expect(!plain.gradsAfter && !doubled.gradsAfter, "gradients are cleared after the step")
    }

    /// Gradients left on the parameters before the call (from an earlier backward pass) do not
    /// leak into the update, and clipping reports the norm before it clips.
    @Test func clearsStaleGradientsAndClips() {
        let net = Linear(2, 1, generator: RandomGenerator(seed: 3))
        let x = Tensor.randn([5, 2], generator: RandomGenerator(seed: 4))
        let fresh = Linear(2, 1, generator: RandomGenerator(seed: 3))
        (net(x).sum() * 100).backward()   // stale gradients
        let a = SGD(net.trainableParameters(), learningRate: 0.5), b = SGD(fresh.trainableParameters(), learningRate: 0.5)
        let normA = Updater().minimize(net(x).sum(), with: a, clippingNorm: 0.01)!
        let normB = Updater().minimize(fresh(x).sum(), with: b, clippingNorm: 0.01)!
        #expect(normA == normB && normA > 0.01)
        #expect(net.weight.scalars == fresh.weight.scalars)
    }

    /// The trainer's hook reaches every optimizer of every step: a GAN's discriminator and
    /// generator, each once a step.
    @Test func theTrainerHooksEveryOptimizer() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-updater-\(ProcessInfo.processInfo.processIdentifier)").path
        try? FileManager.default.removeItem(atPath: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = try ModelRegistry.make(kind: "gan")
        var options = TrainingOptions()
        options.steps = 3
        options.batchSize = 16
        options.trainingSubset = 64
        let trainer = Trainer(model: model, kind: "gan", data: MNISTSubset.data, run: RunFolder(path), options: options)
        var counts: [String: Int] = [:]
        let shapes = model.optimizers.map { "\($0.1.parameters.map(\.shape))" }
        trainer.updater.gradientHook = { counts["\($0.map(\.shape))", default: 0] += 1 }
        try trainer.run()
        #expect(Set(shapes).count == 2 && counts == Dictionary(uniqueKeysWithValues: shapes.map { ($0, 3) }))
    }
}
