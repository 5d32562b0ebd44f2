import Foundation
import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

/// Safetensors checkpoints on deterministic corruptions (truncated, bytes changed, header shapes
/// and offsets edited to huge or negative numbers, trailing garbage): each parses or throws a
/// `CheckpointError` naming the file, and what parses loads into a model or is refused, never a
/// trap.
@Suite struct CheckpointMutationTests {
    @Test func corruptFilesNeverTrap() throws {
        let model = Linear(3, 2, generator: RandomGenerator(seed: 0))
        let adam = Adam(model.trainableParameters(), learningRate: 0.01)
        (model(Tensor.ones([1, 3])).sum()).backward()
        adam.step()
        var file = Checkpoint(tensors: [:], metadata: ["mirage.step": "1"])
        file.insert(model.stateDict(), under: "net")
        file.insert(adam.stateDict().map { ($0.key, $0.value) }, under: "optimizer")
        let good = Array(try file.serialized())
        var parsed = 0, rejected = 0
        for (name, bytes) in Mutations.of(good) {
            do {
                let c = try Checkpoint.parse(Data(bytes), path: "last.safetensors")
                parsed += 1
                // What parses must still load safely: into fresh modules, or be refused.
                let fresh = Linear(3, 2, generator: RandomGenerator(seed: 1))
                try? fresh.loadStateDict(c.tensors(under: "net"))
                try? Adam(fresh.trainableParameters(), learningRate: 0.01).loadStateDict(c.tensors(under: "optimizer"))
            } catch let error as CheckpointError {
                rejected += 1
                #expect(error.description.hasPrefix("last.safetensors: "), "\(name): \(error)")
            } catch {
                Issue.record("\(name): unexpected error type \(error)")
            }
        }
        #expect(rejected > parsed, "\(rejected) rejected, \(parsed) parsed")
    }
}
