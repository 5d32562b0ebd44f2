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

}
