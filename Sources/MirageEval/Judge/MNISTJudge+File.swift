import Foundation
import MirageData
import MirageNN
import MirageTensor

extension MNISTJudge {
    /// The file name of the judge's weights.
    public static let weightsFileName = "mnist-judge.safetensors"
    /// The folder under `Data/` that holds the judge and its cached statistics.
    public static let folderName = "judge"

    /// The paths tried for the judge's weights, in order, without duplicates.
    ///
    /// With an explicit `path`, only it is tried (a folder means the weights file inside it).
    /// Otherwise the folders of MirageData's `DatasetLocator` lookup for the name
    /// `judge`: `$MIRAGE_DATA` and `$MIRAGE_DATA/judge`; `Data/judge` in the current directory
    /// and every folder above it; the same above the running executable; and `Data/judge` at
    /// the root of the source tree Mirage was built from.
    ///
    /// - Parameters:
    ///   - path: An explicit file or folder.
    ///   - environment: The environment to read `MIRAGE_DATA` from.
    /// - Returns: Absolute file paths.
    public static func candidatePaths(path: String? = nil,
                                      environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        if let path {
            let absolute = URL(fileURLWithPath: (path as NSString).expandingTildeInPath).standardizedFileURL.path
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: absolute, isDirectory: &isFolder), isFolder.boolValue {
                return [(absolute as NSString).appendingPathComponent(weightsFileName)]
            }
            return [absolute]
        }
        // This file is <root>/Sources/MirageEval/Judge/MNISTJudge+File.swift: drop four components.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let ownRoot = root.appendingPathComponent("Data").appendingPathComponent(folderName).path
        var seen = Set<String>()
        return (DatasetLocator.candidateFolders(folderName, environment: environment) + [ownRoot])
            .map { ($0 as NSString).appendingPathComponent(weightsFileName) }
            .filter { seen.insert($0).inserted }
    }

    /// Finds the judge's weights file.
    ///
    /// - Parameters:
    ///   - path: An explicit file or folder (see ``candidatePaths(path:environment:)``).
    ///   - environment: The environment to read `MIRAGE_DATA` from.
    /// - Returns: The first candidate path that exists.
    /// - Throws: ``EvalError/judgeNotFound(searched:)`` listing every path tried.
    public static func locate(path: String? = nil,
                              environment: [String: String] = ProcessInfo.processInfo.environment) throws -> String {
        let candidates = candidatePaths(path: path, environment: environment)
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
            throw EvalError.judgeNotFound(searched: candidates)
        }
        return found
    }

    /// Loads the shipped (or a given) judge, in evaluation mode.
    ///
    /// ```swift
    /// let judge = try MNISTJudge.load()                          // Data/judge/mnist-judge.safetensors
    /// let other = try MNISTJudge.load(path: "runs/judge.safetensors")
    /// ```
    ///
    /// - Parameters:
    ///   - path: An explicit file or folder; `nil` searches (see ``candidatePaths(path:environment:)``).
    ///   - environment: The environment to read `MIRAGE_DATA` from.
    /// - Returns: The judge.
    /// - Throws: ``EvalError/judgeNotFound(searched:)``, or ``EvalError/badFile(file:reason:)``
    ///   when the file is not a safetensors file of this architecture.
    public static func load(path: String? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> MNISTJudge {
        let file = try locate(path: path, environment: environment)
        let judge = MNISTJudge(generator: RandomGenerator(seed: 0))
        do {
            let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: file))
            try judge.loadStateDict(checkpoint.tensors)
        } catch let error as CheckpointError {
            throw EvalError.badFile(file: file, reason: error.problem)
        } catch {
            throw EvalError.badFile(file: file, reason: "not MNIST judge weights: \(error)")
        }
        judge.eval()
        judge.weightsPath = file
        return judge
    }

    /// Writes the weights as safetensors (atomically), with `metadata` and the judge's
    /// ``fingerprint``.
    ///
    /// - Parameters:
    ///   - path: The destination; its folder is created if missing.
    ///   - metadata: Strings to store (test accuracy, training time, command).
    /// - Throws: ``EvalError/unwritable(file:reason:)``.
    public func save(to path: String, metadata: [String: String] = [:]) throws {
        let url = URL(fileURLWithPath: path)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var all = metadata
            all["model"] = "mnist-judge"
            all["fingerprint"] = fingerprint
            try Checkpoint(tensors: Dictionary(uniqueKeysWithValues: stateDict()), metadata: all).write(to: url)
        } catch {
            throw EvalError.unwritable(file: path, reason: "\(error)")
        }
    }

    /// A 64-bit FNV-1a hash of the parameter names and values, as 16 hex digits: cached
    /// statistics record it, so statistics computed with other weights are never reused.
    public var fingerprint: String {
        var hash = FNV1a()
        for (key, tensor) in stateDict().sorted(by: { $0.0 < $1.0 }) {
            hash.combine(key.utf8)
            hash.combine(tensor)
        }
        return String(hash.value, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
