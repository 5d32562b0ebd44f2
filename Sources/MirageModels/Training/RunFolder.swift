import Foundation

/// The files of one training run, as DESIGN.md lays them out:
///
/// ```
/// runs/NAME/
///   config.json            model kind, hyper-parameters and training options
///   checkpoints/last.safetensors
///   samples/epoch-NNN.png  sheets at fixed noise, one set per epoch
///   metrics.jsonl          one JSON object per logged step
///   loss.png               the loss curves
/// ```
public struct RunFolder: Sendable {
    public let root: URL

    public init(_ path: String) { root = URL(fileURLWithPath: path, isDirectory: true) }

    public var config: URL { root.appendingPathComponent("config.json") }
    public var checkpoints: URL { root.appendingPathComponent("checkpoints", isDirectory: true) }
    public var lastCheckpoint: URL { checkpoints.appendingPathComponent("last.safetensors") }
    public var samples: URL { root.appendingPathComponent("samples", isDirectory: true) }
    public var metrics: URL { root.appendingPathComponent("metrics.jsonl") }
    public var lossPlot: URL { root.appendingPathComponent("loss.png") }

    /// The sheet file for an epoch: `samples/epoch-003.png` for the main sheet, `samples/epoch-003-interpolations.png` for others.
    public func sheet(epoch: Int, name: String, main: Bool) -> URL {
        let stem = String(format: "epoch-%03d", epoch)
        return samples.appendingPathComponent(main ? "\(stem).png" : "\(stem)-\(name).png")
    }

    /// Creates the folder and its subfolders.
    public func create() throws {
        for dir in [root, checkpoints, samples] {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }
    }
}
