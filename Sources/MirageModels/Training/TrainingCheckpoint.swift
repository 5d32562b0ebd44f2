import Foundation
import MirageNN
import MirageTensor

/// Saving and restoring everything a run needs to continue exactly where it stopped: each
/// network's parameters and buffers (`<network>.<key>`), each optimizer's state
/// (`optimizer.<name>.<key>`), the model's other state (`state.<name>`: EMA weights, image pools,
/// counters), and in the metadata the model kind, its configuration, the step
/// and every random generator's state.
public enum TrainingCheckpoint {
    public static func save(_ model: any GenerativeModel, kind: String, step: Int, to url: URL) throws {
        var file = Checkpoint()
        for (name, net) in model.networks { file.insert(net.stateDict(), under: name) }
        for (name, opt) in model.optimizers { file.insert(opt.stateDict().map { ($0.key, $0.value) }, under: "optimizer.\(name)") }
        file.insert(model.state.map { ($0.key, $0.value) }, under: "state")
        var metadata = ["mirage.kind": kind, "mirage.step": String(step),
                        "mirage.config": String(decoding: canonicalJSON(model.configuration), as: UTF8.self)]
        metadata["mirage.config_version"] = String(ModelRegistry.configurationVersion(ofKind: kind))
        for (name, g) in model.generators {
            metadata["mirage.rng.\(name)"] = g.state.map(String.init).joined(separator: ",")
        }
        file.metadata = metadata
        try file.write(to: url)
    }

    /// What a checkpoint's metadata says of its model: enough to rebuild it.
    public struct Header {
        /// The model kind's name.
        public var kind: String
        /// The configuration, as JSON, in the form of ``configVersion``.
        public var config: Data
        /// The training step the checkpoint was saved at.
        public var step: Int
        /// The version of the configuration's form (``ModelKind/configurationVersion``); 0 for
        /// checkpoints from before versions were written.
        public var configVersion: Int
    }

    /// The kind and configuration stored in a checkpoint, to rebuild its model.
    ///
    /// - Throws: `CheckpointError` for a file without them, or with a version that is not a
    ///   number.
    public static func header(_ file: Checkpoint, path: String) throws -> Header {
        guard let kind = file.metadata["mirage.kind"], let config = file.metadata["mirage.config"],
              let step = file.metadata["mirage.step"].flatMap(Int.init) else {
            throw CheckpointError(path: path, problem: "not a Mirage training checkpoint (no mirage.kind, mirage.config or mirage.step metadata)")
        }
        var version = 0
        if let stored = file.metadata["mirage.config_version"] {
            guard let v = Int(stored), v >= 0 else {
                throw CheckpointError(path: path, problem: "configuration version '\(stored)' is not a whole number")
            }
            version = v
        }
        return Header(kind: kind, config: Data(config.utf8), step: step, configVersion: version)
    }

    /// The model a checkpoint holds the configuration of, built by its registered kind
    /// (upgrading an older configuration), without its weights.
    ///
    /// - Throws: ``ModelConfigurationError`` for an unknown kind or a configuration that does not decode.
    public static func makeModel(_ header: Header) throws -> any GenerativeModel {
        try ModelRegistry.make(kind: header.kind, configuration: header.config, version: header.configVersion)
    }

    /// Restores networks, optimizers, the model's other state and generators into `model`.
    ///
    /// - Throws: `CheckpointError` naming the file and what does not fit.
    public static func restore(_ model: any GenerativeModel, from file: Checkpoint, path: String) throws {
        // A run saves only finite weights (a loss that turns NaN stops it unsaved), so a NaN or an
        // infinity here is damage, which a model would otherwise carry into samples or traps.
        for name in model.networks.map(\.0) + ["state"] {
            for (key, tensor) in file.tensors(under: name) where !tensor.withUnsafeBufferPointer({ $0.allSatisfy(\.isFinite) }) {
                throw CheckpointError(path: path, problem: "tensor \(name).\(key) holds NaN or infinite values")
            }
        }
        do {
            for (name, net) in model.networks { try net.loadStateDict(file.tensors(under: name)) }
            for (name, opt) in model.optimizers { try opt.loadStateDict(file.tensors(under: "optimizer.\(name)")) }
            try model.restoreState(file.tensors(under: "state"))
        } catch {
            throw CheckpointError(path: path, problem: "does not fit the model: \(error)")
        }
        for (name, g) in model.generators {
            guard let words = file.metadata["mirage.rng.\(name)"]?.split(separator: ",").compactMap({ UInt64($0) }),
                  words.count == 4 else {
                throw CheckpointError(path: path, problem: "missing or corrupt state of random generator \(name)")
            }
            g.state = words
        }
    }
}

/// JSON with its keys sorted: JSONEncoder's key order changes from process to process, and the
/// same run must write the same checkpoint bytes.
func canonicalJSON(_ json: Data) -> Data {
    guard let object = try? JSONSerialization.jsonObject(with: json, options: [.fragmentsAllowed]),
          let sorted = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .fragmentsAllowed]) else { return json }
    return sorted
}
