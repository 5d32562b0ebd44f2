import Foundation

/// A TensorBoard event file: `events.out.tfevents.<time>.<host>`, which `tensorboard --logdir`
/// shows beside PyTorch's `SummaryWriter` logs.
///
/// The file is a TensorFlow record file: each record is its length (8 bytes, little-endian), the
/// masked CRC-32C of those 8 bytes, the data, and the masked CRC-32C of the data. Each record's
/// data is a serialised `tensorflow.Event`: the first says `brain.Event:2`; the others carry a
/// `Summary` of scalars (`simple_value`), PNG images, or text (a string tensor for the text
/// plugin). Every event goes to the operating system as it is written (no buffering in the
/// process), so a live TensorBoard sees it at once and a killed run keeps what it logged.
///
/// ```swift
/// let events = try TensorBoardEventFile(folder: "runs/vae")
/// try events.scalar("loss", 98.2, step: 100)
/// try events.image("samples", png: bytes, width: 240, height: 240, channels: 1, step: 1)
/// try events.text("config", "```json\n{…}\n```", step: 0)
/// ```
///
/// - SeeAlso: tensorflow/core/util/event.proto, tensorflow/core/framework/summary.proto,
///   tensorflow/core/lib/io/record_writer.cc (the record layout).
public final class TensorBoardEventFile {
    /// The file's path.
    public let path: String
    private let handle: FileHandle

    /// Creates a new event file in `folder` and writes its version event.
    ///
    /// - Throws: ``DataError/unwritable(file:reason:)``.
    public init(folder: String, wallTime: Date = Date()) throws {
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost"
        var name = "events.out.tfevents.\(Int(wallTime.timeIntervalSince1970)).\(host)"
        // Two writers in one second (a resumed run) get two files rather than one mixed file.
        var n = 1
        while FileManager.default.fileExists(atPath: (folder as NSString).appendingPathComponent(name)) {
            n += 1
            name = "events.out.tfevents.\(Int(wallTime.timeIntervalSince1970)).\(host).\(n)"
        }
        path = (folder as NSString).appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw DataError.unwritable(file: path, reason: "cannot create the file")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError.unwritable(file: path, reason: "\(error)")
        }
        var event = ProtobufEncoder()
        event.double(1, wallTime.timeIntervalSince1970)
        event.string(3, "brain.Event:2")
        try write(record: event.bytes)
    }

    deinit { try? handle.close() }

    /// Logs a scalar (a loss, a rate, a score) at `step`.
    public func scalar(_ tag: String, _ value: Float, step: Int, wallTime: Date = Date()) throws {
        try summary(step: step, wallTime: wallTime) { v in
            v.string(1, tag)
            v.float(2, value)
        }
    }

    /// Logs an image, PNG-encoded, at `step`.
    public func image(_ tag: String, png: [UInt8], width: Int, height: Int, channels: Int, step: Int,
                      wallTime: Date = Date()) throws {
        try summary(step: step, wallTime: wallTime) { v in
            v.string(1, tag)
            v.message(4) { image in
                image.int(1, Int64(height))
                image.int(2, Int64(width))
                image.int(3, Int64(channels))
                image.data(4, png)
            }
        }
    }

    /// Logs Markdown text (TensorBoard's Text tab) at `step`.
    public func text(_ tag: String, _ markdown: String, step: Int, wallTime: Date = Date()) throws {
        try summary(step: step, wallTime: wallTime) { v in
            v.string(1, tag)
            v.message(8) { tensor in
                tensor.int(1, 7)                      // DT_STRING
                tensor.message(2) { _ in }            // a scalar: no dimensions
                tensor.string(8, markdown)
            }
            v.message(9) { metadata in
                metadata.message(1) { plugin in plugin.string(1, "text") }
            }
        }
    }

    /// One event holding a summary with one value, built by `value`.
    private func summary(step: Int, wallTime: Date, _ value: (inout ProtobufEncoder) -> Void) throws {
        var event = ProtobufEncoder()
        event.double(1, wallTime.timeIntervalSince1970)
        event.int(2, Int64(step))
        event.message(5) { summary in summary.message(1, value) }
        try write(record: event.bytes)
    }

    private func write(record data: [UInt8]) throws {
        var length: [UInt8] = []
        withUnsafeBytes(of: UInt64(data.count).littleEndian) { length += $0 }
        var bytes = length
        withUnsafeBytes(of: CRC32C.masked(length).littleEndian) { bytes += $0 }
        bytes += data
        withUnsafeBytes(of: CRC32C.masked(data).littleEndian) { bytes += $0 }
        do {
            try handle.write(contentsOf: bytes)
        } catch {
            throw DataError.unwritable(file: path, reason: "\(error)")
        }
    }

    /// The events' data (serialised `Event` messages) in a record file, every checksum checked.
    ///
    /// - Throws: ``DataError`` naming the file for a truncated record or a checksum that does
    ///   not match.
    public static func records(at path: String) throws -> [[UInt8]] {
        let bytes = try FileBytes.read(path)
        var records: [[UInt8]] = []
        var i = 0
        func u32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }
        while i < bytes.count {
            guard i + 12 <= bytes.count else { throw DataError.truncated(file: path, expected: i + 12, found: bytes.count) }
            let header = Array(bytes[i..<(i + 8)])
            let length = Int(header.enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
            guard u32(i + 8) == CRC32C.masked(header) else {
                throw DataError.badValue(file: path, reason: "record \(records.count) at byte \(i): the length's checksum does not match")
            }
            let start = i + 12
            guard length >= 0, start + length + 4 <= bytes.count else {
                throw DataError.truncated(file: path, expected: start + length + 4, found: bytes.count)
            }
            let data = Array(bytes[start..<(start + length)])
            guard u32(start + length) == CRC32C.masked(data) else {
                throw DataError.badValue(file: path, reason: "record \(records.count) at byte \(i): the data's checksum does not match")
            }
            records.append(data)
            i = start + length + 4
        }
        return records
    }

    /// One event read back: its step and time, and the summary values it holds.
    public struct Event: Equatable {
        /// What one summary value holds.
        public enum Value: Equatable {
            case scalar(Float)
            case image(width: Int, height: Int, channels: Int, png: [UInt8])
            case text(String)
        }

        public var wallTime: Double
        public var step: Int
        /// The file version, on the first event only ("brain.Event:2").
        public var fileVersion: String?
        public var values: [(tag: String, value: Value)]

        public static func == (a: Event, b: Event) -> Bool {
            a.wallTime == b.wallTime && a.step == b.step && a.fileVersion == b.fileVersion
                && a.values.map(\.tag) == b.values.map(\.tag) && a.values.map(\.value) == b.values.map(\.value)
        }
    }

    /// The events of a file written by this class (or any scalar, image and text summaries),
    /// every record's checksums checked.
    ///
    /// - Throws: ``DataError`` naming the file for a bad record or an undecodable event.
    public static func events(at path: String) throws -> [Event] {
        try records(at: path).map { record in
            var event = Event(wallTime: 0, step: 0, fileVersion: nil, values: [])
            for (field, value) in try ProtobufDecoder.fields(record, file: path) {
                switch (field, value) {
                case let (1, .fixed64(bits)): event.wallTime = Double(bitPattern: bits)
                case let (2, .varint(v)): event.step = Int(Int64(bitPattern: v))
                case let (3, .bytes(b)): event.fileVersion = String(decoding: b, as: UTF8.self)
                case let (5, .bytes(summary)):
                    for case let (1, .bytes(v)) in try ProtobufDecoder.fields(summary, file: path) {
                        event.values.append(try summaryValue(v, file: path))
                    }
                default: continue
                }
            }
            return event
        }
    }

    private static func summaryValue(_ bytes: [UInt8], file: String) throws -> (tag: String, value: Event.Value) {
        var tag = "", value: Event.Value?
        for (field, v) in try ProtobufDecoder.fields(bytes, file: file) {
            switch (field, v) {
            case let (1, .bytes(b)): tag = String(decoding: b, as: UTF8.self)
            case let (2, .fixed32(bits)): value = .scalar(Float(bitPattern: bits))
            case let (4, .bytes(image)):
                var w = 0, h = 0, c = 0, png: [UInt8] = []
                for (f, x) in try ProtobufDecoder.fields(image, file: file) {
                    switch (f, x) {
                    case let (1, .varint(n)): h = Int(n)
                    case let (2, .varint(n)): w = Int(n)
                    case let (3, .varint(n)): c = Int(n)
                    case let (4, .bytes(b)): png = b
                    default: continue
                    }
                }
                value = .image(width: w, height: h, channels: c, png: png)
            case let (8, .bytes(tensor)):
                for case let (8, .bytes(b)) in try ProtobufDecoder.fields(tensor, file: file) {
                    value = .text(String(decoding: b, as: UTF8.self))
                }
            default: continue
            }
        }
        guard let value else { throw DataError.badValue(file: file, reason: "summary value '\(tag)' holds no scalar, image or text") }
        return (tag, value)
    }
}
