import Foundation
import MirageNN
import MirageTensor

/// Saving and restoring everything a run needs to continue exactly where it stopped: each
/// network's parameters and buffers (`<network>.<key>`), each optimizer's state
/// (`optimizer.<name>.<key>`), and in the metadata the model kind, its configuration, the step
/// and every random generator's state.
public enum TrainingCheckpoint {
    public static func save(_ model: any GenerativeModel, kind: String, step: Int, to url: URL) throws {
        var tensors: [String: Tensor] = [:]
        for (name, net) in model.networks {
            for (key, t) in net.stateDict() { tensors["\(name).\(key)"] = t }
        }
        for (name, opt) in model.optimizers {
            for (key, t) in opt.stateDict() { tensors["optimizer.\(name).\(key)"] = t }
        }
        var metadata = ["mirage.kind": kind, "mirage.step": String(step),
                        "mirage.config": String(decoding: model.configuration, as: UTF8.self)]
        for (name, g) in model.generators {
            metadata["mirage.rng.\(name)"] = g.state.map(String.init).joined(separator: ",")
        }
        try Checkpoint(tensors: tensors, metadata: metadata).write(to: url)
    }

    /// The kind and configuration stored in a checkpoint, to rebuild its model.
    public static func header(_ file: Checkpoint, path: String) throws -> (kind: String, config: Data, step: Int) {
        guard let kind = file.metadata["mirage.kind"], let config = file.metadata["mirage.config"],
              let step = file.metadata["mirage.step"].flatMap(Int.init) else {
            throw CheckpointError(path: path, problem: "not a Mirage training checkpoint (no mirage.kind, mirage.config or mirage.step metadata)")
        }
        return (kind, Data(config.utf8), step)
    }

    /// Restores networks, optimizers and generators into `model`.
    ///
    /// - Throws: ``CheckpointError`` naming the file and what does not fit.
    public static func restore(_ model: any GenerativeModel, from file: Checkpoint, path: String) throws {
        func part(_ prefix: String) -> [String: Tensor] {
            var out: [String: Tensor] = [:]
            for (k, v) in file.tensors where k.hasPrefix(prefix + ".") { out[String(k.dropFirst(prefix.count + 1))] = v }
            return out
        }
        do {
            for (name, net) in model.networks { try net.loadStateDict(part(name)) }
            for (name, opt) in model.optimizers { try opt.loadStateDict(part("optimizer.\(name)")) }
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
