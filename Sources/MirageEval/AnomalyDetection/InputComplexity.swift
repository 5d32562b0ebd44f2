import MirageData
import MirageTensor

/// How complex an image is, measured as the length in bits of its lossless PNG encoding: the
/// complexity estimate L(x) of Serrà et al. (2020).
///
/// Likelihood-based models give simple images (a single stroke, a blank background) high
/// likelihood whatever they were trained on, so −log p(x) alone ranks simple anomalies as the
/// most normal inputs of all (Nalisnick et al., 2019). Subtracting the bits a generic
/// compressor needs for the same image leaves what the model explains *beyond* an image's
/// complexity, S(x) = −log₂ p(x) − L(x), which is what `mirage eval anomaly --score
/// complexity` ranks by.
///
/// Each image is quantised to 8 bits as MirageData's `ImageGrid` does for sheets (value · 255 + ½,
/// clamped, truncated) and encoded by libpng with its default settings, one file per image; the
/// length includes the PNG container's fixed header and chunks (about 60 bytes), a constant that
/// does not change any ranking.
///
/// ```swift
/// let bits = try InputComplexity.pngBits(images)       // [B], one length per image
/// let s = nllNats / log(2) - bits                      // Serrà et al.'s S(x)
/// ```
///
/// - SeeAlso: Serrà et al., "Input complexity and out-of-distribution detection with
///   likelihood-based generative models", ICLR 2020, <https://arxiv.org/abs/1909.11480>.
public enum InputComplexity {
    /// The length in bits of each image's PNG encoding.
    ///
    /// - Parameter images: `[B, C, H, W]` in [0, 1], with 1 to 4 channels (gray, gray + alpha,
    ///   RGB, RGBA) and a positive size.
    /// - Returns: `B` lengths in bits.
    /// - Throws: MirageData's `DataError.png` if libpng fails.
    public static func pngBits(_ images: Tensor) throws -> [Double] {
        precondition(images.rank == 4 && (1...4).contains(images.shape[1]) && images.shape[2] > 0 && images.shape[3] > 0,
                     "InputComplexity.pngBits: images must be [B, C, H, W] with 1 to 4 channels, got \(images.shape)")
        return try ImageGrid.separate(images).enumerated().map { i, image in
            Double(8 * (try PNG.encode(image, file: "test image \(i)")).count)
        }
    }
}
