/// Draws counts as a bar chart, an RGB picture: the mode histogram of `mirage eval modes`, where
/// a collapsed generator shows as a few tall bars among empty slots.
///
/// Bars are blue, drawn from the bottom, scaled so the tallest fills the height; a red tick under
/// a bar marks an empty bin (a missed mode). With more bins than pixels across, bins share
/// columns (the tallest of them is drawn).
///
/// ```swift
/// try PNG.write(BarChart.render([120, 0, 98, 101]), to: "modes.png")
/// ```
public enum BarChart {
    /// Renders one bar per count.
    ///
    /// - Parameters:
    ///   - counts: Non-negative counts, at least one.
    ///   - width: Picture width in pixels; by default enough for bars of 1 to 16 pixels.
    ///   - height: Picture height in pixels (at least 16).
    /// - Returns: A `width × height` RGB image.
    public static func render(_ counts: [Int], width: Int? = nil, height: Int = 200) -> RasterImage {
        precondition(!counts.isEmpty && counts.allSatisfy { $0 >= 0 }, "BarChart.render: needs one or more non-negative counts")
        precondition(height >= 16, "BarChart.render: height \(height) is below 16 pixels")
        let w = width ?? Swift.max(counts.count, Swift.min(16 * counts.count, 800))
        precondition(w >= 1, "BarChart.render: width \(w) is not positive")
        var image = RasterImage(width: w, height: height, channels: 3, filledWith: 255)
        func plot(_ x: Int, _ y: Int, _ color: (UInt8, UInt8, UInt8)) {
            image[x: x, y: y, channel: 0] = color.0
            image[x: x, y: y, channel: 1] = color.1
            image[x: x, y: y, channel: 2] = color.2
        }
        let tallest = Swift.max(counts.max()!, 1)
        let barArea = height - 4   // the bottom 3 rows hold the empty-bin ticks
        for x in 0..<w {
            // The bins this column shows, and the tallest of them.
            let first = x * counts.count / w, last = Swift.max(first + 1, (x + 1) * counts.count / w)
            let top = counts[first..<last].max()!
            if top == 0 {
                for y in (height - 3)..<height { plot(x, y, (214, 39, 40)) }
                continue
            }
            let bar = Swift.max(1, top * barArea / tallest)
            // Leave a pixel between bars when they are wide enough to tell apart.
            let gap = w >= 3 * counts.count && (x + 1) * counts.count / w != first
            if gap { continue }
            for y in (barArea - bar)..<barArea { plot(x, y, (31, 119, 180)) }
        }
        return image
    }
}
