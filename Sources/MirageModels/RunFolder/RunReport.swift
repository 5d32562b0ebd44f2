import Foundation

/// `runs/NAME/index.html`: one self-contained page about a run, which can be mailed or moved on
/// its own: the configuration, the latest metrics, the loss curves (SVG), every sheet with a
/// slider over the epochs (the PNGs embedded), and the evaluations `mirage eval` recorded in the
/// run's `evals/` folder. The trainer rewrites it after each epoch's sheets, so it can be opened
/// while a run goes on; `mirage eval` rewrites it after recording a result; `mirage report`
/// rewrites it for every run and writes an index comparing them (``RunReport/writeIndex(of:to:)``).
///
/// ```swift
/// try RunReport.write(for: RunFolder("runs/vae"))
/// ```
public enum RunReport {
    /// Writes the run's page from the files now in its folder.
    ///
    /// - Throws: File errors when the page cannot be written.
    public static func write(for run: RunFolder) throws {
        let summary = RunSummary(run)
        var html = header(title: "\(summary.kind) on \(summary.dataset)")
        html += "<h1>\(escape(summary.kind)) on \(escape(summary.dataset))</h1>\n"
        html += "<p class=\"files\"><a href=\"config.json\">config.json</a> · <a href=\"metrics.jsonl\">metrics.jsonl</a> · "
            + "<a href=\"checkpoints/last.safetensors\">checkpoints/last.safetensors</a></p>\n"
        if let last = summary.lastMetrics {
            html += "<h2>Latest metrics (step \(summary.lastStep ?? 0))</h2>\n<table>"
            for (key, value) in last.sorted(by: { $0.key < $1.key }) where key != "step" {
                html += "<tr><th>\(escape(key))</th><td>\(format(value))</td></tr>"
            }
            html += "</table>\n"
        }
        if !summary.evaluations.isEmpty {
            html += "<h2>Evaluations</h2>\n"
            for (name, result) in summary.evaluations {
                html += "<h3>\(escape(name))</h3><table>"
                for (key, value) in result.sorted(by: { $0.key < $1.key }) {
                    html += "<tr><th>\(escape(key))</th><td>\(escape(describe(value)))</td></tr>"
                }
                html += "</table>\n"
            }
        }
        let history = summary.history
        if !history.isEmpty {
            html += "<h2>Curves</h2>\n<div class=\"curves\">"
            for (key, points) in history.sorted(by: { $0.key < $1.key }) { html += lineChart(title: key, points: points) }
            html += "</div>\n"
        }
        html += sheetsSection(run)
        html += "<h2>Configuration</h2>\n<pre>\(escape(summary.configText))</pre>\n</body></html>\n"
        try Data(html.utf8).write(to: run.indexPage)
    }

    /// The most epochs whose sheets a page embeds.
    static let maximumEpochs = 40

    /// Every sheet, one figure per sheet name with the epochs stacked in it, and one slider that
    /// picks the epoch shown in all of them (the newest at first).
    private static func sheetsSection(_ run: RunFolder) -> String {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: run.samples.path)) ?? []
        var sheets: [String: [(epoch: Int, file: String)]] = [:]
        for name in names where name.hasPrefix("epoch-") && name.hasSuffix(".png") {
            let rest = name.dropFirst("epoch-".count)
            guard let epoch = Int(rest.prefix { $0.isNumber }) else { continue }
            let label = String(rest.drop { $0.isNumber }.dropLast(".png".count).drop { $0 == "-" })
            sheets[label.isEmpty ? "main" : label, default: []].append((epoch, name))
        }
        guard !sheets.isEmpty else { return "" }
        let all = Set(sheets.values.flatMap { $0.map(\.epoch) }).sorted()
        // A run of one-step epochs (a tiny --subset) has thousands of sheets: the page embeds at
        // most `maximumEpochs`, evenly spaced from the first to the last, so it stays small.
        let shown = all.count <= maximumEpochs ? all
            : (0..<maximumEpochs).map { all[$0 * (all.count - 1) / (maximumEpochs - 1)] }
        let epochs = Array(Set(shown)).sorted()
        var html = "<h2>Sheets</h2>\n"
        if epochs.count < all.count {
            html += "<p>\(epochs.count) of \(all.count) epochs shown; every sheet is in <a href=\"samples/\">samples/</a>.</p>\n"
        }
        html += "<p><label>epoch <input id=\"epoch\" type=\"range\" min=\"0\" max=\"\(epochs.count - 1)\" "
            + "value=\"\(epochs.count - 1)\" step=\"1\"> <span id=\"epoch-label\">\(epochs.last!)</span></label></p>\n"
        // The main sheet first, then the others by name.
        for label in sheets.keys.sorted(by: { ($0 == "main" ? 0 : 1, $0) < ($1 == "main" ? 0 : 1, $1) }) {
            html += "<figure><figcaption>\(escape(label))</figcaption>"
            for (epoch, file) in sheets[label]!.sorted(by: { $0.epoch < $1.epoch }) where epochs.contains(epoch) {
                guard let png = try? Data(contentsOf: run.samples.appendingPathComponent(file)) else { continue }
                let index = epochs.firstIndex(of: epoch)!
                html += "<img class=\"sheet\" data-epoch=\"\(index)\" alt=\"samples/\(escape(file))\" title=\"samples/\(escape(file))\""
                    + (index == epochs.count - 1 ? "" : " hidden") + " onerror=\"console.error('sheet failed to load: ' + this.title)\""
                    + " src=\"data:image/png;base64,\(png.base64EncodedString())\">"
            }
            html += "</figure>\n"
        }
        let labels = epochs.map(String.init).joined(separator: ",")
        html += """
            <script>
            (function () {
              var slider = document.getElementById("epoch"), label = document.getElementById("epoch-label");
              var epochs = [\(labels)];
              slider.addEventListener("input", function () {
                label.textContent = epochs[slider.value];
                document.querySelectorAll("img.sheet").forEach(function (img) { img.hidden = img.dataset.epoch !== slider.value; });
              });
            })();
            </script>

            """
        return html
    }

    /// An SVG line chart of one logged quantity against the step.
    static func lineChart(title: String, points: [(Int, Double)]) -> String {
        let finite = points.filter { $0.1.isFinite }
        let (w, h, pad) = (320.0, 180.0, 36.0)
        var svg = "<figure><figcaption>\(escape(title))</figcaption><svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\">"
        svg += "<rect x=\"0\" y=\"0\" width=\"\(Int(w))\" height=\"\(Int(h))\" fill=\"white\" stroke=\"#ccc\"/>"
        if let first = finite.first, let last = finite.last {
            let lo = finite.map(\.1).min()!, hi = finite.map(\.1).max()!
            let span = hi > lo ? hi - lo : 1, steps = Double(max(last.0 - first.0, 1))
            func x(_ s: Int) -> Double { pad + (w - 1.5 * pad) * Double(s - first.0) / steps }
            func y(_ v: Double) -> Double { h - pad / 1.5 - (h - 1.3 * pad) * (v - lo) / span }
            let path = finite.map { String(format: "%.1f,%.1f", x($0.0), y($0.1)) }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            svg += "<text x=\"4\" y=\"14\" font-size=\"11\">\(format(hi))</text>"
            svg += "<text x=\"4\" y=\"\(Int(h) - 16)\" font-size=\"11\">\(format(lo))</text>"
            svg += "<text x=\"\(Int(pad))\" y=\"\(Int(h) - 3)\" font-size=\"11\">step \(first.0)</text>"
            svg += "<text x=\"\(Int(w) - 4)\" y=\"\(Int(h) - 3)\" font-size=\"11\" text-anchor=\"end\">\(last.0)</text>"
        }
        return svg + "</svg></figure>"
    }

    static func header(title: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>\(escape(title))</title>
        <style>body{font-family:sans-serif;margin:1.5em;background:#fafafa;color:#222}figure{display:inline-block;margin:0 1em 1em 0;vertical-align:top}
        figcaption{font-size:0.85em;color:#555}img.sheet{image-rendering:pixelated;border:1px solid #ccc;max-width:100%}
        table{border-collapse:collapse;margin-bottom:1em}th,td{border:1px solid #ddd;padding:2px 8px;text-align:left;font-size:0.9em}
        td{font-variant-numeric:tabular-nums}pre{background:#fff;border:1px solid #ddd;padding:0.5em;overflow:auto}</style>
        </head><body>

        """
    }

    static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(format: "%.4g", value)
    }

    static func describe(_ value: Any) -> String {
        switch value {
        case let d as Double: return format(d)
        case let i as Int: return String(i)
        case let s as String: return s
        case let a as [Any]: return "[" + a.map(describe).joined(separator: ", ") + "]"
        case is NSNull: return "–"
        default: return "\(value)"
        }
    }

    static func escape<S: StringProtocol>(_ s: S) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
