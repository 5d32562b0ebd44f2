import Foundation
import MirageTensor

/// A problem with a safetensors file: which file, and what is wrong with it.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}

/// Named tensors plus string metadata, stored in the safetensors format that PyTorch, JAX and
/// NumPy users read with the `safetensors` package.
///
/// ```swift
/// var file = Checkpoint(tensors: Dictionary(uniqueKeysWithValues: model.stateDict()),
///                       metadata: ["model": "dcgan"])
/// try file.write(to: URL(fileURLWithPath: "runs/dcgan/checkpoints/last.safetensors"))
/// let back = try Checkpoint.read(from: URL(fileURLWithPath: "runs/dcgan/checkpoints/last.safetensors"))
/// try model.loadStateDict(back.tensors)
/// ```
///
/// Writing goes to a temporary file in the same directory, which is then renamed over the
/// target, so a crash never leaves a half-written checkpoint. Reading checks the header, every
/// offset and every size, and accepts F32, F64, F16, BF16, I64, I32, I16, I8, U8 and BOOL
/// tensors (converted to Float32). Writing uses F32.
///
/// - SeeAlso: <https://github.com/huggingface/safetensors>
public struct Checkpoint {
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(tensors: [String: Tensor] = [:], metadata: [String: String] = [:]) {
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The tensors whose keys start with `prefix.`, with that prefix removed: one network's or
    /// optimizer's part of a checkpoint that holds several.
    public func tensors(under prefix: String) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (key, value) in tensors where key.hasPrefix(prefix + ".") { out[String(key.dropFirst(prefix.count + 1))] = value }
        return out
    }

    /// Adds `entries` with their keys prefixed by `prefix.`, the inverse of ``tensors(under:)``.
    public mutating func insert<S: Sequence>(_ entries: S, under prefix: String) where S.Element == (String, Tensor) {
        for (key, value) in entries { tensors["\(prefix).\(key)"] = value }
    }

    /// The file's bytes: an 8-byte little-endian header length, a JSON header padded with spaces
    /// to a multiple of 8, then the tensors' little-endian data in key order.
    public func serialized() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let keys = tensors.keys.sorted()
        for key in keys {
            let t = tensors[key]!
            header[key] = ["dtype": "F32", "shape": t.shape, "data_offsets": [offset, offset + 4 * t.count]] as [String: Any]
            offset += 4 * t.count
        }
        var json = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys, .withoutEscapingSlashes])
        json.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - json.count % 8) % 8))
        var out = Data(capacity: 8 + json.count + offset)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(json)
        for key in keys {
            tensors[key]!.withUnsafeBufferPointer { b in
                #if _endian(little)
                out.append(UnsafeBufferPointer(start: UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: UInt8.self),
                                               count: 4 * b.count))
                #else
                for v in b { withUnsafeBytes(of: v.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
                #endif
            }
        }
        return out
    }

    /// Writes the file atomically (temporary file, then rename).
    ///
    /// - Throws: ``CheckpointError`` if the directory is missing or not writable.
    public func write(to url: URL) throws {
        let data = try serialized()
        let tmp = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: tmp)
            // The data must be on disk before the rename makes it the checkpoint, and the rename
            // on disk before the call returns: otherwise a power cut can keep the rename and lose
            // the bytes.
            try Self.sync(tmp.path, for: url)
            guard rename(tmp.path, url.path) == 0 else {
                throw CheckpointError(path: url.path, problem: "cannot rename \(tmp.path) over it: \(String(cString: strerror(errno)))")
            }
            try Self.sync(url.deletingLastPathComponent().path, for: url)
        } catch let e as CheckpointError {
            try? FileManager.default.removeItem(at: tmp)
            throw e
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw CheckpointError(path: url.path, problem: "cannot write: \(error.localizedDescription)")
        }
    }

    /// `fsync` of a file or folder, with errors naming the checkpoint being written.
    private static func sync(_ path: String, for url: URL) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw CheckpointError(path: url.path, problem: "cannot open \(path) to sync it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw CheckpointError(path: url.path, problem: "cannot sync \(path) to disk: \(String(cString: strerror(errno)))")
        }
    }

    /// Reads and validates a safetensors file.
    ///
    /// - Throws: ``CheckpointError`` naming the file and the problem: missing, truncated, a
    ///   header that is not JSON, an unknown dtype, or offsets outside the data.
    public static func read(from url: URL) throws -> Checkpoint {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CheckpointError(path: url.path, problem: "cannot read: \(error.localizedDescription)")
        }
        return try parse(data, path: url.path)
    }

    /// Parses safetensors bytes; `path` names the source in errors.
    public static func parse(_ data: Data, path: String) throws -> Checkpoint {
        func fail(_ problem: String) -> CheckpointError { CheckpointError(path: path, problem: problem) }
        guard data.count >= 8 else { throw fail("truncated: \(data.count) bytes, too short for the 8-byte header length") }
        let headerLength = data.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard headerLength <= UInt64(data.count - 8) else {
            throw fail("truncated or corrupt: header length \(headerLength) exceeds the \(data.count - 8) bytes that follow")
        }
        let headerEnd = 8 + Int(headerLength)
        guard let header = try? JSONSerialization.jsonObject(with: data.subdata(in: 8..<headerEnd)) as? [String: Any] else {
            throw fail("corrupt: the header is not a JSON object")
        }
        let body = data.subdata(in: headerEnd..<data.count)
        var checkpoint = Checkpoint()
        if let meta = header["__metadata__"] {
            guard let m = meta as? [String: String] else { throw fail("corrupt: __metadata__ is not a map of strings") }
            checkpoint.metadata = m
        }
        for (key, value) in header where key != "__metadata__" {
            guard let entry = value as? [String: Any], let dtype = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int], let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw fail("corrupt: entry \(key) lacks dtype, shape or data_offsets")
            }
            guard let size = elementSizes[dtype] else { throw fail("tensor \(key) has unsupported dtype \(dtype)") }
            guard shape.allSatisfy({ $0 >= 0 }) else { throw fail("tensor \(key) has a negative dimension in \(shape)") }
            // A header field is not to be trusted with arithmetic: a huge shape must fail, not overflow.
            var count = 1
            for d in shape {
                let (product, overflow) = count.multipliedReportingOverflow(by: d)
                guard !overflow else { throw fail("tensor \(key) has an impossibly large shape \(shape)") }
                count = product
            }
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] <= body.count else {
                throw fail("truncated or corrupt: tensor \(key) spans bytes \(offsets[0])..<\(offsets[1]) of a \(body.count)-byte data section")
            }
            let (bytes, overflow) = count.multipliedReportingOverflow(by: size)
            guard !overflow, offsets[1] - offsets[0] == bytes else {
                throw fail("tensor \(key) of shape \(shape) and dtype \(dtype) needs \(overflow ? "more than \(Int.max)" : String(bytes)) bytes, has \(offsets[1] - offsets[0])")
            }
            let storage = TensorStorage(count: count)
            body.withUnsafeBytes { raw in
                decode(raw.baseAddress! + offsets[0], dtype: dtype, count: count, into: storage.data)
            }
            checkpoint.tensors[key] = Tensor(storage: storage, shape: shape)
        }
        return checkpoint
    }

    private static let elementSizes = ["F32": 4, "F64": 8, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2,
                                       "I8": 1, "U8": 1, "BOOL": 1]

    private static func decode(_ src: UnsafeRawPointer, dtype: String, count: Int, into dst: UnsafeMutablePointer<Float>) {
        for i in 0..<count {
            switch dtype {
            case "F32": dst[i] = Float(bitPattern: UInt32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            case "F64": dst[i] = Float(Double(bitPattern: UInt64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self))))
            case "F16": dst[i] = Float(float16Bits: UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            case "BF16": dst[i] = Float(bitPattern: UInt32(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))) << 16)
            case "I64": dst[i] = Float(Int64(littleEndian: src.loadUnaligned(fromByteOffset: 8 * i, as: Int64.self)))
            case "I32": dst[i] = Float(Int32(littleEndian: src.loadUnaligned(fromByteOffset: 4 * i, as: Int32.self)))
            case "I16": dst[i] = Float(Int16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: Int16.self)))
            case "I8": dst[i] = Float(src.load(fromByteOffset: i, as: Int8.self))
            default: dst[i] = Float(src.load(fromByteOffset: i, as: UInt8.self))  // U8, BOOL
            }
        }
    }
}

extension Float {
    /// IEEE half precision to single.
    init(float16Bits h: UInt16) {
        let sign = UInt32(h >> 15) << 31
        let exponent = Int((h >> 10) & 0x1F), mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            self = Float(sign == 0 ? 1 : -1) * Float(mantissa) * 0x1p-24
        } else if exponent == 31 {
            self = Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        } else {
            self = Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}
