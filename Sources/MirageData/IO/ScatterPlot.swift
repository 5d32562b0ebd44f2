import MirageTensor

/// Draws 2-D points as an RGB picture: a quick look at toy distributions and at what a
/// generator makes of them (a collapsed GAN covers only some of the red mode markers).
///
/// The view is square with `y` pointing up, light gray axes through the origin, points as 3×3
/// blue dots over optional reference points (real data, say) as gray dots, and modes as red
/// crosses. Without explicit bounds it fits every point, reference point and mode, with a 10%
/// margin.
///
/// ```swift
/// let ring = GaussianMixture2D.ring8()
/// let points = ring.sample(count: 2000, generator: RandomGenerator(seed: 0))
/// try PNG.write(ScatterPlot.render(points, modes: ring.modes), to: "ring8.png")
/// ```
public enum ScatterPlot {
    /// Renders points and optional mode markers.
    ///
    /// - Parameters:
    ///   - points: A `[N, 2]` tensor of (x, y) pairs.
    ///   - modes: Centres to mark with red crosses.
    ///   - reference: `[M, 2]` points drawn in gray beneath `points`.
    ///   - size: The picture's width and height in pixels (at least 16).
    ///   - bounds: The visible range of both axes; `nil` fits the data.
    /// - Returns: A `size × size` RGB image.
    public static func render(_ points: Tensor, modes: [SIMD2<Float>] = [], reference: Tensor? = nil, size: Int = 512,
                              bounds: ClosedRange<Float>? = nil) -> RasterImage {
        precondition(points.rank == 2 && points.shape[1] == 2, "ScatterPlot.render: expected [N, 2] points, got \(points.shape)")
        precondition(reference.map { $0.rank == 2 && $0.shape[1] == 2 } ?? true,
                     "ScatterPlot.render: expected [M, 2] reference points, got \(reference?.shape ?? [])")
        precondition(size >= 16, "ScatterPlot.render: size \(size) is below 16 pixels")
        let xy = points.scalars, under = reference?.scalars ?? []
        let range = bounds ?? fit(xy + under + modes.flatMap { [$0.x, $0.y] })
        var image = RasterImage(width: size, height: size, channels: 3, filledWith: 255)
        let scale = Float(size - 1) / (range.upperBound - range.lowerBound)
        func pixel(_ v: Float) -> Int { Int(((v - range.lowerBound) * scale).rounded()) }
        func plot(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
            guard (0..<size).contains(x), (0..<size).contains(y) else { return }
            image[x: x, y: y, channel: 0] = color.0
            image[x: x, y: y, channel: 1] = color.1
            image[x: x, y: y, channel: 2] = color.2
        }
        let axis: (UInt8, UInt8, UInt8) = (210, 210, 210)
        if range.contains(0) {
            let o = pixel(0)
            for t in 0..<size {
                plot(o, t, axis)
                plot(t, size - 1 - o, axis)
            }
        }
        func dots(_ xy: [Float], _ color: (UInt8, UInt8, UInt8)) {
            for i in stride(from: 0, to: xy.count - 1, by: 2) where xy[i].isFinite && xy[i + 1].isFinite {
                let px = pixel(xy[i]), py = size - 1 - pixel(xy[i + 1])
                for dy in -1...1 { for dx in -1...1 { plot(px + dx, py + dy, color) } }
            }
        }
        dots(under, (175, 175, 175))
        dots(xy, (31, 119, 180))
        for m in modes {
            let px = pixel(m.x), py = size - 1 - pixel(m.y)
            for d in -5...5 {
                plot(px + d, py + d, (214, 39, 40))
                plot(px + d, py - d, (214, 39, 40))
            }
        }
        return image
    }

    /// One range for both axes (so the view keeps its aspect) holding every finite coordinate,
    /// widened by 10% on each side.
    private static func fit(_ values: [Float]) -> ClosedRange<Float> {
        let finite = values.filter(\.isFinite)
        guard let lo = finite.min(), let hi = finite.max() else { return -1...1 }
        let margin = Swift.max((hi - lo) * 0.1, 1e-3)
        return (lo - margin)...(hi + margin)
    }
}
