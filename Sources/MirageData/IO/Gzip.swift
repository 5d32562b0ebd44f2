import CZlib

/// Decompression of gzip files (RFC 1952) through zlib's `inflate`.
///
/// Dataset files such as MNIST's are shipped gzip-compressed; readers call
/// ``decompressIfNeeded(_:file:)`` so that the raw and the `.gz` form of a file both load.
///
/// ```swift
/// let raw = try Gzip.decompressIfNeeded(bytes, file: "train-images-idx3-ubyte.gz")
/// ```
public enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Decompresses `bytes` when they start with the gzip magic number, else returns them as they are.
    ///
    /// - Parameters:
    ///   - bytes: The file's contents.
    ///   - file: The file's path, used in error messages.
    /// - Returns: The uncompressed contents.
    /// - Throws: ``DataError/corruptGzip(file:reason:)`` for a damaged or truncated stream.
    public static func decompressIfNeeded(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        isGzip(bytes) ? try decompress(bytes, file: file) : bytes
    }

    /// Decompresses a gzip stream (one member or several concatenated ones).
    ///
    /// The stream must end exactly after its last member: a stream cut short, or followed by bytes
    /// that are not another gzip member, throws.
    ///
    /// - Parameters:
    ///   - bytes: The compressed bytes, starting with `1f 8b`.
    ///   - file: The file's path, used in error messages.
    /// - Returns: The uncompressed bytes.
    /// - Throws: ``DataError/corruptGzip(file:reason:)`` when zlib rejects the stream, the CRC
    ///   does not match, or the stream ends before its end marker.
    public static func decompress(_ bytes: [UInt8], file: String) throws -> [UInt8] {
        guard isGzip(bytes) else {
            throw DataError.corruptGzip(file: file, reason: "missing gzip magic number 1f 8b")
        }
        var stream = z_stream()
        // windowBits 16 + MAX_WBITS: expect a gzip header and trailer, not a raw zlib stream.
        let status = inflateInit2_(&stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DataError.corruptGzip(file: file, reason: "inflateInit2 failed with status \(status)")
        }
        defer { inflateEnd(&stream) }

        // The trailer's last four bytes hold the uncompressed size modulo 2^32: a good first guess.
        var output = [UInt8](repeating: 0, count: initialCapacity(bytes))
        var produced = 0
        try bytes.withUnsafeBufferPointer { input in
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress!)
            stream.avail_in = uInt(input.count)
            while true {
                if produced == output.count {
                    output.append(contentsOf: repeatElement(0, count: max(output.count, 1 << 16)))
                }
                let room = min(output.count - produced, Int(UInt32.max))
                let result: Int32 = output.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress! + produced
                    stream.avail_out = uInt(room)
                    let r = inflate(&stream, Z_NO_FLUSH)
                    produced += room - Int(stream.avail_out)
                    return r
                }
                switch result {
                case Z_STREAM_END:
                    // Another member may follow (concatenated gzip files are one valid stream).
                    let consumed = input.count - Int(stream.avail_in)
                    if stream.avail_in == 0 { return }
                    guard input.count - consumed >= 2, input[consumed] == 0x1F, input[consumed + 1] == 0x8B else {
                        throw DataError.corruptGzip(
                            file: file, reason: "\(stream.avail_in) unexpected bytes after the end of the gzip stream")
                    }
                    inflateReset(&stream)
                case Z_OK:
                    continue
                case Z_BUF_ERROR where stream.avail_in == 0:
                    throw DataError.corruptGzip(
                        file: file, reason: "stream ends early (truncated file?) after \(produced) uncompressed bytes")
                case Z_BUF_ERROR:
                    continue
                default:
                    let message = stream.msg.map { String(cString: $0) } ?? "zlib status \(result)"
                    throw DataError.corruptGzip(file: file, reason: message)
                }
            }
        }
        output.removeSubrange(produced...)
        return output
    }

    /// Compresses `bytes` into a single-member gzip stream (zlib's default level).
    ///
    /// ```swift
    /// try FileBytes.write(try Gzip.compress(IDX.encode(labels)), to: "labels-idx1-ubyte.gz")
    /// ```
    ///
    /// - Parameter bytes: The data to compress.
    /// - Returns: The gzip stream.
    /// - Throws: ``DataError/invalidArgument(_:)`` if zlib fails (out of memory).
    public static func compress(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        let status = deflateInit2_(&stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8,
                                   Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw DataError.invalidArgument("gzip: deflateInit2 failed with status \(status)") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        var input = bytes
        let result: Int32 = input.withUnsafeMutableBufferPointer { inp in
            output.withUnsafeMutableBufferPointer { out in
                stream.next_in = inp.baseAddress
                stream.avail_in = uInt(inp.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard result == Z_STREAM_END else {
            throw DataError.invalidArgument("gzip: deflate failed with status \(result)")
        }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// The ISIZE trailer field, trusted only within sane bounds (a garbled one must not allocate
    /// gigabytes).
    private static func initialCapacity(_ bytes: [UInt8]) -> Int {
        let n = bytes.count
        guard n >= 18 else { return 1 << 16 }
        let isize = Int(bytes[n - 4]) | Int(bytes[n - 3]) << 8 | Int(bytes[n - 2]) << 16 | Int(bytes[n - 1]) << 24
        return min(max(isize, 1 << 16), max(n * 64, 1 << 16))
    }
}
