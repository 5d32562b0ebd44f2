import Foundation
import MirageNN
import MirageTensor

/// The PyTorch fixtures written by `scripts/make_torch_nn_fixtures.py`.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) -> Checkpoint {
        do { return try Checkpoint.read(from: directory.appendingPathComponent("\(name).safetensors")) } catch {
            fatalError("cannot read fixture \(name): \(error)")
        }
    }

    /// The tensors under `prefix.`, with the prefix removed.
    static func group(_ file: Checkpoint, _ prefix: String) -> [String: MirageTensor.Tensor] {
        var out: [String: MirageTensor.Tensor] = [:]
        for (k, v) in file.tensors where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v }
        return out
    }
}
