import MirageTensor

/// New image domains computed from a dataset, for image-to-image translation experiments on
/// small data: digits → edges, digits → inverted digits, thin → thick strokes, gray → coloured.
///
/// Each function keeps the samples' order and labels, so `derived.paired(with: original)`
/// gives a paired dataset (pix2pix) and the two used apart give an unpaired one (CycleGAN).
/// Every result depends only on its input (and, for ``colorized(seed:)``, on the seed).
///
/// ```swift
/// let digits = try ImageDataset.mnist(split: .train)
/// let edges = try digits.sobelEdges().paired(with: digits)
/// let colored = digits.colorized(seed: 7)        // 3 channels, colours fixed by the seed
/// ```
extension ImageDataset {
    /// Each channel replaced by its Sobel gradient magnitude: `sqrt(gx² + gy²) / 4`, rounded and
    /// clamped to 255 (a hard black-to-white step gives 255), with zeros outside the image.
    ///
    /// - Returns: The edge images, named `<name>-edges`.
    public func sobelEdges() -> ImageDataset {
        mapPlanes(suffix: "edges") { src, dst, h, w in
            func at(_ y: Int, _ x: Int) -> Int {
                (0..<h).contains(y) && (0..<w).contains(x) ? Int(src[y * w + x]) : 0
            }
            for y in 0..<h {
                for x in 0..<w {
                    let gx = at(y - 1, x + 1) + 2 * at(y, x + 1) + at(y + 1, x + 1)
                        - at(y - 1, x - 1) - 2 * at(y, x - 1) - at(y + 1, x - 1)
                    let gy = at(y + 1, x - 1) + 2 * at(y + 1, x) + at(y + 1, x + 1)
                        - at(y - 1, x - 1) - 2 * at(y - 1, x) - at(y - 1, x + 1)
                    let magnitude = Double(gx * gx + gy * gy).squareRoot() / 4
                    dst[y * w + x] = UInt8(min(255, magnitude.rounded()))
                }
            }
        }
    }

    /// Every pixel replaced by `255 - pixel`: white digits on black become black on white.
    ///
    /// - Returns: The inverted images, named `<name>-inverted`.
    public func inverted() -> ImageDataset {
        var out = self
        out.name = "\(name)-inverted"
        out.images = images.map { 255 - $0 }
        return out
    }

    /// Strokes thickened by a 3×3 dilation: each pixel becomes the maximum of its 3×3
    /// neighbourhood (within the image).
    ///
    /// - Returns: The dilated images, named `<name>-thick`.
    public func thickened() -> ImageDataset {
        mapPlanes(suffix: "thick") { src, dst, h, w in
            for y in 0..<h {
                for x in 0..<w {
                    var m: UInt8 = 0
                    for yy in max(0, y - 1)...min(h - 1, y + 1) {
                        for xx in max(0, x - 1)...min(w - 1, x + 1) { m = max(m, src[yy * w + xx]) }
                    }
                    dst[y * w + x] = m
                }
            }
        }
    }

    /// Gray images coloured: each image gets a background and a foreground colour, drawn
    /// from `seed` and its index, and a pixel of intensity `p` becomes
    /// `background + (foreground - background) · p / 255`.
    ///
    /// The two colours are uniform in RGB, redrawn until their luminances (Rec. 601) differ by
    /// at least 0.35, so that every digit stays legible. Sample `i`'s colours depend only on
    /// `seed` and `i`.
    ///
    /// - Parameter seed: The seed for the colours.
    /// - Returns: A 3-channel dataset, named `<name>-colored`.
    public func colorized(seed: UInt64) -> ImageDataset {
        precondition(channels == 1, "colorized: \(name) has \(channels) channels, expected 1 (gray)")
        let plane = height * width
        var out = [UInt8](repeating: 0, count: count * 3 * plane)
        images.withUnsafeBufferPointer { src in
            for i in 0..<count {
                let (background, foreground) = Self.contrastingColors(RandomGenerator.derived(seed: seed, UInt64(i)))
                for c in 0..<3 {
                    let base = Float(background[c]), span = Float(foreground[c]) - Float(background[c])
                    let to = (i * 3 + c) * plane
                    for k in 0..<plane {
                        out[to + k] = UInt8((base + span * Float(src[i * plane + k]) / 255).rounded())
                    }
                }
            }
        }
        return ImageDataset(name: "\(name)-colored", images: out, labels: labels, channels: 3, height: height,
                            width: width, classCount: classCount)
    }

    /// Pairs this dataset (domain A) with `target` (domain B), sample by sample.
    ///
    /// - Parameter target: The dataset whose sample i belongs with this one's sample i.
    /// - Returns: The paired dataset.
    /// - Throws: ``DataError`` if the counts or image sizes differ.
    public func paired(with target: ImageDataset) throws -> PairedImageDataset {
        try PairedImageDataset(a: self, b: target)
    }

    /// A background and a foreground colour whose luminances differ by at least 0.35.
    private static func contrastingColors(_ g: RandomGenerator) -> ([UInt8], [UInt8]) {
        func color() -> [UInt8] { (0..<3).map { _ in UInt8(g.nextIndex(below: 256)) } }
        func luma(_ c: [UInt8]) -> Float { (0.299 * Float(c[0]) + 0.587 * Float(c[1]) + 0.114 * Float(c[2])) / 255 }
        while true {
            let background = color(), foreground = color()
            if abs(luma(background) - luma(foreground)) >= 0.35 { return (background, foreground) }
        }
    }

    /// Applies `body` to every (sample, channel) plane: source, destination, height, width.
    private func mapPlanes(suffix: String,
                           _ body: (UnsafePointer<UInt8>, UnsafeMutablePointer<UInt8>, Int, Int) -> Void) -> ImageDataset {
        var out = [UInt8](repeating: 0, count: images.count)
        let plane = height * width
        images.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for p in 0..<count * channels {
                    body(src.baseAddress! + p * plane, dst.baseAddress! + p * plane, height, width)
                }
            }
        }
        return ImageDataset(name: "\(name)-\(suffix)", images: out, labels: labels, channels: channels,
                            height: height, width: width, classCount: classCount)
    }
}
