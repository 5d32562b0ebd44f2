import Foundation
import MirageData

/// Draws the logged losses as line charts, one panel per series, into a PNG.
enum LossCurve {
    static let palette: [(UInt8, UInt8, UInt8)] = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189), (255, 127, 14)]

    /// Renders `series` (name → (step, value) points) as stacked panels of `width × panelHeight`.
    static func render(_ series: [(String, [(Int, Float)])], width: Int = 640, panelHeight: Int = 160) -> RasterImage {
        let height = max(1, series.count) * panelHeight
        var image = RasterImage(width: width, height: height, channels: 3, filledWith: 255)
        for (index, (name, points)) in series.enumerated() {
            let top = index * panelHeight, margin = 12
            let color = palette[index % palette.count]
            // Panel frame.
            for x in margin..<(width - margin) {
                set(&image, x, top + panelHeight - margin, (160, 160, 160))
                set(&image, x, top + margin, (220, 220, 220))
            }
            for y in (top + margin)...(top + panelHeight - margin) { set(&image, margin, y, (160, 160, 160)) }
            let finite = points.filter { $0.1.isFinite }
            guard let first = finite.first, let last = finite.last, finite.count > 1 else { continue }
            let lo = finite.map(\.1).min()!, hi = finite.map(\.1).max()!
            // Label: the series, its last value, and the vertical range of the panel.
            TinyFont.draw(String(format: "%@  last %.4g", name, last.1), into: &image, x: margin + 6, y: top + margin + 4, color: color)
            TinyFont.draw(String(format: "%.4g", hi), into: &image, x: width - margin - 60, y: top + margin + 4, color: (110, 110, 110))
            TinyFont.draw(String(format: "%.4g", lo), into: &image, x: width - margin - 60, y: top + panelHeight - margin - 10,
                          color: (110, 110, 110))
            TinyFont.draw(String(format: "step %d-%d", first.0, last.0), into: &image, x: width / 2 - 40,
                          y: top + panelHeight - margin - 10, color: (110, 110, 110))
            let span = hi > lo ? hi - lo : 1
            let x0 = Double(first.0), xSpan = Double(max(last.0 - first.0, 1))
            func pixel(_ p: (Int, Float)) -> (Int, Int) {
                let x = margin + Int(Double(width - 2 * margin - 1) * (Double(p.0) - x0) / xSpan)
                let y = top + panelHeight - margin - Int(Double(panelHeight - 2 * margin) * Double(p.1 - lo) / Double(span))
                return (x, y)
            }
            var previous = pixel(first)
            for p in finite.dropFirst() {
                let next = pixel(p)
                line(&image, previous, next, color)
                previous = next
            }
        }
        return image
    }

    private static func set(_ image: inout RasterImage, _ x: Int, _ y: Int, _ c: (UInt8, UInt8, UInt8)) {
        guard x >= 0, x < image.width, y >= 0, y < image.height else { return }
        let i = (y * image.width + x) * 3
        image.pixels[i] = c.0
        image.pixels[i + 1] = c.1
        image.pixels[i + 2] = c.2
    }

    /// Bresenham's line.
    private static func line(_ image: inout RasterImage, _ a: (Int, Int), _ b: (Int, Int), _ c: (UInt8, UInt8, UInt8)) {
        var (x, y) = a
        let dx = abs(b.0 - x), dy = -abs(b.1 - y), sx = x < b.0 ? 1 : -1, sy = y < b.1 ? 1 : -1
        var err = dx + dy
        while true {
            set(&image, x, y, c)
            if x == b.0 && y == b.1 { break }
            let e2 = 2 * err
            if e2 >= dy { err += dy; x += sx }
            if e2 <= dx { err += dx; y += sy }
        }
    }
}
