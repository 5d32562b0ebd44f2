import Foundation
import MirageNN

/// The PyTorch fixtures of `Fixtures/`, written by `scripts/make_torch_*_fixtures.py` (each
/// test names its script).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func load(_ name: String) -> Checkpoint {
        do { return try Checkpoint.read(from: directory.appendingPathComponent("\(name).safetensors")) } catch {
            fatalError("cannot read fixture \(name): \(error)")
        }
    }
}
