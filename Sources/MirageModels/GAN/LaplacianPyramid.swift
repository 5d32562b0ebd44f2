import MirageTensor

/// The Laplacian pyramid of a batch of images (Burt & Adelson, 1983), as LAPGAN uses it: the
/// coarsest image, and at each finer level the band-pass residual that the upsampled coarser
/// image misses. Downsampling averages 2×2 blocks and upsampling repeats pixels, so the pyramid
/// is exact: ``reconstructed()`` gives the images back.
///
/// ```swift
/// let pyramid = LaplacianPyramid(images, levels: 3)   // 28 → 14 → 7
/// pyramid.images.map(\.shape)                           // [[B, 1, 7, 7], [B, 1, 14, 14], [B, 1, 28, 28]]
/// pyramid.bands.map(\.shape)                            // [[B, 1, 14, 14], [B, 1, 28, 28]]
/// ```
public struct LaplacianPyramid {
    /// The images at each level, coarsest first: `images[k + 1]` is `images[k]` at twice the size.
    public let images: [Tensor]
    /// The band-pass residuals, coarsest first: `bands[k] = images[k + 1] − expand(images[k])`.
    public let bands: [Tensor]

    /// The pyramid of `x` `[B, C, H, W]` with `levels` levels; H and W must divide by 2^(levels − 1).
    public init(_ x: Tensor, levels: Int) {
        precondition(x.rank == 4 && levels >= 1, "LaplacianPyramid: need [B, C, H, W] images and at least one level, got \(x.shape)")
        let factor = 1 << (levels - 1)
        precondition(x.shape[2] % factor == 0 && x.shape[3] % factor == 0,
                   "LaplacianPyramid: \(x.shape[2])×\(x.shape[3]) images do not halve \(levels - 1) times")
        var images = [x]
        for _ in 1..<levels { images.insert(Self.reduce(images[0]), at: 0) }
        self.images = images
        bands = (1..<levels).map { images[$0] - Self.expand(images[$0 - 1]) }
    }

    /// Half the size: the mean of each 2×2 block.
    public static func reduce(_ x: Tensor) -> Tensor { avgPool2d(x, kernelSize: (2, 2)) }

    /// Twice the size: each pixel repeated over a 2×2 block.
    public static func expand(_ x: Tensor) -> Tensor { upsampleNearest2d(x, scale: (2, 2)) }

    /// The finest image rebuilt from the coarsest and the bands, coarse to fine.
    public func reconstructed() -> Tensor {
        bands.reduce(images[0]) { Self.expand($0) + $1 }
    }
}
