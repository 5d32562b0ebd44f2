/// An 8-bit image in memory: rows top to bottom, pixels left to right, channels interleaved.
///
/// This is the layout PNG files and libpng use (H×W×C). Datasets hold C×H×W instead; convert
/// with ``init(planar:channels:height:width:)`` and ``planar``.
///
/// ```swift
/// let gray = RasterImage(width: 3, height: 2, channels: 1, pixels: [0, 128, 255, 255, 128, 0])
/// try PNG.write(gray, to: "gray.png")
/// print(gray[x: 1, y: 0, channel: 0])   // 128
/// ```
public struct RasterImage: Equatable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Channels per pixel: 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// The samples, H×W×C, row-major.
    public var pixels: [UInt8]

    /// Creates an image from interleaved samples.
    ///
    /// - Parameters:
    ///   - width: Width in pixels (positive).
    ///   - height: Height in pixels (positive).
    ///   - channels: 1, 2, 3 or 4.
    ///   - pixels: `height * width * channels` samples, H×W×C.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0, "RasterImage: size \(width)×\(height) must be positive")
        precondition((1...4).contains(channels), "RasterImage: \(channels) channels, expected 1 to 4")
        precondition(pixels.count == width * height * channels,
                     "RasterImage: \(pixels.count) samples do not fill \(width)×\(height)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// Creates an image filled with one value in every sample.
    ///
    /// - Parameters:
    ///   - width: Width in pixels.
    ///   - height: Height in pixels.
    ///   - channels: 1 to 4.
    ///   - value: The value of every sample.
    public init(width: Int, height: Int, channels: Int, filledWith value: UInt8) {
        self.init(width: width, height: height, channels: channels,
                  pixels: [UInt8](repeating: value, count: width * height * channels))
    }

    /// Creates an image from planar samples (C×H×W, as datasets and tensors hold them).
    ///
    /// - Parameters:
    ///   - planar: `channels * height * width` samples, C×H×W.
    ///   - channels: 1 to 4.
    ///   - height: Height in pixels.
    ///   - width: Width in pixels.
    public init<C: Collection>(planar: C, channels: Int, height: Int, width: Int) where C.Element == UInt8 {
        precondition(planar.count == channels * height * width,
                     "RasterImage(planar:): \(planar.count) samples do not fill \(channels)×\(height)×\(width)")
        let source = Array(planar)
        var pixels = [UInt8](repeating: 0, count: source.count)
        let plane = height * width
        for c in 0..<channels {
            for p in 0..<plane { pixels[p * channels + c] = source[c * plane + p] }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// The samples in planar order, C×H×W.
    public var planar: [UInt8] {
        var out = [UInt8](repeating: 0, count: pixels.count)
        let plane = height * width
        for c in 0..<channels {
            for p in 0..<plane { out[c * plane + p] = pixels[p * channels + c] }
        }
        return out
    }

    /// The sample at column `x`, row `y`, channel `channel`.
    public subscript(x x: Int, y y: Int, channel channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }

    /// The columns `range` of every row, as a new image (used to split pix2pix's A|B pairs).
    ///
    /// - Parameter range: Columns to keep; must lie inside `0..<width` and not be empty.
    /// - Returns: An image `range.count` pixels wide.
    public func columns(_ range: Range<Int>) -> RasterImage {
        precondition(!range.isEmpty && range.lowerBound >= 0 && range.upperBound <= width,
                     "RasterImage.columns: \(range) is not inside 0..<\(width)")
        var out = [UInt8]()
        out.reserveCapacity(range.count * height * channels)
        for y in 0..<height {
            let row = (y * width) * channels
            out += pixels[row + range.lowerBound * channels ..< row + range.upperBound * channels]
        }
        return RasterImage(width: range.count, height: height, channels: channels, pixels: out)
    }
}
