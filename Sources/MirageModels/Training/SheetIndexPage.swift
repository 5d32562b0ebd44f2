import Foundation

/// `runs/NAME/index.html`: every epoch's sheets on one page, newest first, as the pix2pix and
/// CycleGAN reference code shows its training images. The page is plain HTML beside the PNGs it
/// shows (`samples/epoch-NNN*.png`), rewritten after each epoch's sheets, so it can be opened
/// while a run goes on.
enum SheetIndexPage {
    /// Writes the page for the sheets now in the run's `samples/` folder.
    static func write(for run: RunFolder, kind: String, dataset: String) throws {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.samples.path)) ?? []
        var byEpoch: [Int: [String]] = [:]
        for name in names where name.hasPrefix("epoch-") && name.hasSuffix(".png") {
            let digits = name.dropFirst("epoch-".count).prefix { $0.isNumber }
            if let epoch = Int(digits) { byEpoch[epoch, default: []].append(name) }
        }
        var html = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>\(escape(kind)) on \(escape(dataset))</title>
            <style>body{font-family:sans-serif;margin:1.5em;background:#fafafa}figure{display:inline-block;margin:0 1em 1em 0}
            figcaption{font-size:0.85em;color:#555}img{image-rendering:pixelated;border:1px solid #ccc;max-width:100%}</style>
            </head><body>
            <h1>\(escape(kind)) on \(escape(dataset))</h1>
            <p><a href="config.json">config.json</a> · <a href="metrics.jsonl">metrics.jsonl</a></p>
            <p><img src="loss.png" alt="loss curves"></p>

            """
        for epoch in byEpoch.keys.sorted(by: >) {
            html += "<h2>Epoch \(epoch)</h2>\n"
            // The main sheet (epoch-NNN.png) first, then the others by name.
            for name in byEpoch[epoch]!.sorted(by: { ($0.count, $0) < ($1.count, $1) }) {
                let label = name.dropFirst(String(format: "epoch-%03d", epoch).count).dropSuffix(".png").drop { $0 == "-" }
                html += "<figure><img src=\"samples/\(escape(name))\" alt=\"\(escape(name))\"><figcaption>\(escape(label.isEmpty ? "main" : String(label)))</figcaption></figure>\n"
            }
        }
        html += "</body></html>\n"
        try Data(html.utf8).write(to: run.indexPage)
    }

    private static func escape<S: StringProtocol>(_ s: S) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

private extension Substring {
    func dropSuffix(_ suffix: String) -> Substring { hasSuffix(suffix) ? dropLast(suffix.count) : self }
}
