import CPNG

/// PNG reading and writing through libpng's simplified `png_image` API.
///
/// Reading accepts every PNG libpng reads (gray, gray + alpha, RGB, RGBA, palette, 1 to 16
/// bits per sample, interlaced or not) and converts it to the 8-bit layout asked for: 1 channel
/// (gray), 2 (gray + alpha), 3 (RGB) or 4 (RGBA). Converting to fewer colour channels uses
/// libpng's sRGB luminance; dropping alpha composites onto black. 16-bit samples without a
/// gamma chunk are taken as sRGB and scaled to 8 bits. Writing produces 8-bit files.
///
/// ```swift
/// let image = try PNG.read("facades/train/1.png", channels: 3)     // RGB, whatever the file holds
/// try PNG.write(image, to: "/tmp/copy.png")
/// ```
///
/// - SeeAlso: libpng's `png.h`, section "Simplified API".
public enum PNG {
    /// Reads a PNG file.
    ///
    /// - Parameters:
    ///   - path: The file.
    ///   - channels: 1, 2, 3 or 4 to convert to that layout; `nil` for the file's own: gray
    ///     files give 1 (2 with transparency), colour and palette files 3 (4 with transparency).
    /// - Returns: The 8-bit image.
    /// - Throws: ``DataError/unreadable(file:reason:)`` or ``DataError/png(file:message:)`` naming
    ///   the file when it is missing, truncated or corrupt.
    public static func read(_ path: String, channels: Int? = nil) throws -> RasterImage {
        try decode(try FileBytes.read(path), channels: channels, file: path)
    }

    /// Decodes PNG bytes.
    ///
    /// - Parameters:
    ///   - bytes: A whole PNG file.
    ///   - channels: The layout to convert to, as in ``read(_:channels:)``.
    ///   - file: The name to use in error messages.
    /// - Returns: The 8-bit image.
    /// - Throws: ``DataError/png(file:message:)`` with libpng's message.
    public static func decode(_ bytes: [UInt8], channels: Int? = nil, file: String = "<memory>") throws -> RasterImage {
        if let channels, !(1...4).contains(channels) {
            throw DataError.invalidArgument("PNG.decode(\(file)): channels must be 1 to 4, got \(channels)")
        }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }
        let begun = bytes.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard begun != 0, !failed(image) else { throw DataError.png(file: file, message: message(image)) }

        let source = image.format
        let hasColor = source & png_uint_32(PNG_FORMAT_FLAG_COLOR) != 0
        let hasAlpha = source & png_uint_32(PNG_FORMAT_FLAG_ALPHA) != 0
        let wanted = channels ?? (hasColor ? 3 : 1) + (hasAlpha ? 1 : 0)
        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0, width * height * wanted <= 1 << 31 else {
            throw DataError.png(file: file, message: "implausible size \(width)×\(height)")
        }
        image.format = format(channels: wanted)
        // 16-bit files written without gAMA (PIL, OpenCV) hold sRGB-coded values, like 8-bit ones.
        image.flags |= png_uint_32(PNG_IMAGE_FLAG_16BIT_sRGB)
        // Zeros: where libpng removes alpha it composites onto the buffer's contents, black here.
        var pixels = [UInt8](repeating: 0, count: width * height * wanted)
        let finished = pixels.withUnsafeMutableBytes { out in
            png_image_finish_read(&image, nil, out.baseAddress, 0, nil)
        }
        guard finished != 0, !failed(image) else { throw DataError.png(file: file, message: message(image)) }
        return RasterImage(width: width, height: height, channels: wanted, pixels: pixels)
    }

    /// Encodes an image as an 8-bit PNG (gray, gray + alpha, RGB or RGBA, from its channel count).
    ///
    /// - Parameters:
    ///   - image: The image.
    ///   - file: The name to use in error messages.
    /// - Returns: The PNG file's bytes.
    /// - Throws: ``DataError/png(file:message:)`` if libpng fails.
    public static func encode(_ image: RasterImage, file: String = "<memory>") throws -> [UInt8] {
        func describe() -> png_image {
            var header = png_image()
            header.version = png_uint_32(PNG_IMAGE_VERSION)
            header.width = png_uint_32(image.width)
            header.height = png_uint_32(image.height)
            header.format = format(channels: image.channels)
            return header
        }
        // First call: the size; second: the bytes.
        var sizing = describe()
        var size: png_alloc_size_t = 0
        let measured = image.pixels.withUnsafeBytes { px in
            png_image_write_to_memory(&sizing, nil, &size, 0, px.baseAddress, 0, nil)
        }
        png_image_free(&sizing)
        guard measured != 0, size > 0 else { throw DataError.png(file: file, message: message(sizing)) }

        var writing = describe()
        defer { png_image_free(&writing) }
        var out = [UInt8](repeating: 0, count: Int(size))
        var written = size
        let ok = image.pixels.withUnsafeBytes { px in
            out.withUnsafeMutableBytes { dst in
                png_image_write_to_memory(&writing, dst.baseAddress, &written, 0, px.baseAddress, 0, nil)
            }
        }
        guard ok != 0, !failed(writing) else { throw DataError.png(file: file, message: message(writing)) }
        out.removeSubrange(Int(written)...)
        return out
    }

    /// Writes an image as an 8-bit PNG file, through a temporary file renamed into place.
    ///
    /// - Parameters:
    ///   - image: The image.
    ///   - path: The destination; its folder must exist.
    /// - Throws: ``DataError/png(file:message:)`` or ``DataError/unwritable(file:reason:)``.
    public static func write(_ image: RasterImage, to path: String) throws {
        try FileBytes.write(try encode(image, file: path), to: path)
    }

    /// The 8-bit `PNG_FORMAT_*` value for a channel count.
    private static func format(channels: Int) -> png_uint_32 {
        switch channels {
        case 1: return png_uint_32(PNG_FORMAT_GRAY)
        case 2: return png_uint_32(PNG_FORMAT_GA)
        case 3: return png_uint_32(PNG_FORMAT_RGB)
        default: return png_uint_32(PNG_FORMAT_RGB | PNG_FORMAT_FLAG_ALPHA)
        }
    }

    /// `PNG_IMAGE_FAILED`: the low two bits hold 2 or 3 after an error.
    private static func failed(_ image: png_image) -> Bool {
        image.warning_or_error & 0x03 > 1
    }

    /// libpng's message, or a generic one if it left none.
    private static func message(_ image: png_image) -> String {
        var copy = image.message
        let text = withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "libpng failed without a message (not a PNG file?)" : text
    }
}
