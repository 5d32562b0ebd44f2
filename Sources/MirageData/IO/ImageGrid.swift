import MirageTensor

/// Lays out a batch of images as one picture, like `torchvision.utils.make_grid` followed by
/// `save_image`.
///
/// Images go left to right, `nrow` per row, each surrounded by `padding` pixels of `padValue`.
/// Values are mapped from `range` to 0…255 the way `save_image` does (`x * 255 + 0.5`, clamped,
/// truncated). Two differences from torchvision: one-channel images stay one-channel (an 8-bit
/// gray PNG, not RGB), and a single image keeps its padding.
///
/// ## Shape
/// For `N` images of `C×H×W`: `cols = min(nrow, N)`, `rows = ceil(N / cols)`, and the grid is
/// `(rows * (H + padding) + padding) × (cols * (W + padding) + padding)` with `C` channels.
///
/// ```swift
/// let samples = model.sample(64)                                   // [64, 1, 28, 28] in [0, 1]
/// try ImageGrid.save(samples, to: "runs/dcgan/samples/epoch-001.png")
/// let sheet = ImageGrid.make(fakes, nrow: 4, range: -1...1)         // generator output in [-1, 1]
/// ```
public enum ImageGrid {
    /// Composes `images` into one 8-bit image.
    ///
    /// - Parameters:
    ///   - images: A `[N, C, H, W]` tensor with `C` from 1 to 4 and `N` at least 1.
    ///   - nrow: Images per row (torchvision's name; it counts columns).
    ///   - padding: Pixels between images and around the border.
    ///   - padValue: The value of the padding, in the same units as the images.
    ///   - range: The values mapped to 0 and 255; values outside are clamped.
    /// - Returns: The grid.
    public static func make(_ images: Tensor, nrow: Int = 8, padding: Int = 2, padValue: Float = 0,
                            range: ClosedRange<Float> = 0...1) -> RasterImage {
        precondition(images.rank == 4 && (1...4).contains(images.shape[1]) && images.shape[0] > 0,
                     "ImageGrid.make: expected [N, C, H, W] with N ≥ 1 and C in 1...4, got \(images.shape)")
        precondition(nrow > 0 && padding >= 0, "ImageGrid.make: nrow \(nrow) must be positive, padding \(padding) not negative")
        precondition(range.upperBound > range.lowerBound, "ImageGrid.make: empty range \(range)")
        let (n, c, h, w) = (images.shape[0], images.shape[1], images.shape[2], images.shape[3])
        let cols = min(nrow, n), rows = (n + cols - 1) / cols
        let gridW = cols * (w + padding) + padding, gridH = rows * (h + padding) + padding
        let low = range.lowerBound, span = range.upperBound - range.lowerBound
        func byte(_ v: Float) -> UInt8 {
            let x = ((v - low) / span * 255 + 0.5)
            return x.isNaN ? 0 : UInt8(Swift.min(Swift.max(x, 0), 255))
        }
        var grid = RasterImage(width: gridW, height: gridH, channels: c, filledWith: byte(padValue))
        images.withUnsafeBufferPointer { src in
            grid.pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<n {
                    let top = padding + (i / cols) * (h + padding), left = padding + (i % cols) * (w + padding)
                    for ch in 0..<c {
                        let plane = src.baseAddress! + (i * c + ch) * h * w
                        for y in 0..<h {
                            let row = ((top + y) * gridW + left) * c + ch
                            for x in 0..<w { dst[row + x * c] = byte(plane[y * w + x]) }
                        }
                    }
                }
            }
        }
        return grid
    }

    /// Each image of a batch as its own 8-bit picture, without padding: the sheets' conversion
    /// (``make(_:nrow:padding:padValue:range:)``) for writing or measuring images one at a time.
    ///
    /// - Parameters:
    ///   - images: A `[N, C, H, W]` tensor with `C` from 1 to 4.
    ///   - range: The values mapped to 0 and 255; values outside are clamped.
    /// - Returns: `N` pictures of `W×H` with `C` channels.
    public static func separate(_ images: Tensor, range: ClosedRange<Float> = 0...1) -> [RasterImage] {
        (0..<images.shape[0]).map { make(images.sliced(axis: 0, $0..<($0 + 1)), nrow: 1, padding: 0, range: range) }
    }

    /// Composes `images` (see ``make(_:nrow:padding:padValue:range:)``) and writes the grid as a PNG.
    ///
    /// - Parameters:
    ///   - images: A `[N, C, H, W]` tensor.
    ///   - path: The PNG file to write; its folder must exist.
    ///   - nrow: Images per row.
    ///   - padding: Pixels between images and around the border.
    ///   - padValue: The value of the padding, in the same units as the images.
    ///   - range: The values mapped to 0 and 255.
    /// - Returns: The grid that was written.
    /// - Throws: ``DataError`` if the file cannot be written.
    @discardableResult
    public static func save(_ images: Tensor, to path: String, nrow: Int = 8, padding: Int = 2, padValue: Float = 0,
                            range: ClosedRange<Float> = 0...1) throws -> RasterImage {
        let grid = make(images, nrow: nrow, padding: padding, padValue: padValue, range: range)
        try PNG.write(grid, to: path)
        return grid
    }
}
