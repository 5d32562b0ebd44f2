import Foundation
import MirageData
import Testing

/// Running the `mirage` binary as a user does, for the command-line suites: `CLI.run` returns
/// its exit status and both outputs.
enum CLI {
    /// The binary SwiftPM built next to this test bundle.
    static let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("mirage")
    static let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `mirage` with `arguments`, through `launcher` (a command and its arguments, such as
    /// `mpirun -np 2`) when one is given; or, with `executable`, that program (found on the PATH)
    /// with `arguments` alone; in `directory` when one is given.
    static func run(_ arguments: [String], environment: [String: String] = [:], launcher: [String] = [],
                    executable: String? = nil, directory: URL? = nil) throws -> Result {
        let process = Process()
        process.currentDirectoryURL = directory
        if let program = executable ?? launcher.first {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + (executable == nil ? Array(launcher.dropFirst()) + [binary.path] : []) + arguments
        } else {
            process.executableURL = binary
            process.arguments = arguments
        }
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile(), stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: stderr, as: UTF8.self))
    }

    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-cli-\(ProcessInfo.processInfo.processIdentifier)-\(name)")
        try? FileManager.default.removeItem(at: url)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
    /// Whether `url` is a whole safetensors file: its header parses and its tensors end exactly at
    /// the end of the file (a half-written file fails one or the other).
    static func isCompleteSafetensors(_ url: URL) -> Bool {
        guard let data = try? Data(contentsOf: url), data.count >= 8 else { return false }
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        guard length >= 2, 8 + length <= data.count,
              let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] else { return false }
        let end = header.values.compactMap { ($0 as? [String: Any])?["data_offsets"] as? [Int] }.map { $0[1] }.max() ?? 0
        return 8 + length + end == data.count
    }

    /// The tensors of a safetensors file whose names start with `prefix`, as a new file: what
    /// `torch.save_file(module.state_dict())` of one submodule looks like.
    static func keepTensors(from source: String, prefix: String, to destination: String) throws {
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source))
        let headerLength = bytes.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: bytes.subdata(in: 8..<(8 + headerLength))) as! [String: Any]
        let body = bytes.subdata(in: (8 + headerLength)..<bytes.count)
        var entries: [String: Any] = [:], data = Data()
        for name in header.keys.sorted() where name.hasPrefix(prefix) {
            var entry = header[name] as! [String: Any]
            let offsets = entry["data_offsets"] as! [Int]
            entry["data_offsets"] = [data.count, data.count + offsets[1] - offsets[0]]
            data.append(body.subdata(in: offsets[0]..<offsets[1]))
            entries[name] = entry
        }
        var json = try JSONSerialization.data(withJSONObject: entries, options: [.sortedKeys])
        while json.count % 8 != 0 { json.append(0x20) }
        var out = Data((0..<8).map { UInt8((json.count >> (8 * $0)) & 0xff) })
        out.append(json)
        out.append(data)
        try out.write(to: URL(fileURLWithPath: destination))
    }
}

extension String {
    func ifEmpty(_ other: String) -> String { isEmpty ? other : self }
}
