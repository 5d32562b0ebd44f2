import Foundation

/// What a run folder's files say about it, for the run's page and the index of runs.
struct RunSummary {
    let run: RunFolder
    let kind: String
    let dataset: String
    let configText: String
    /// Every logged quantity against the step, from `metrics.jsonl`.
    let history: [String: [(Int, Double)]]
    /// The last line of `metrics.jsonl`.
    let lastMetrics: [String: Double]?
    var lastStep: Int? { lastMetrics?["step"].map { Int($0) } }
    /// The results in `evals/*.json`, by file name.
    let evaluations: [(String, [String: Any])]

    init(_ run: RunFolder) {
        self.run = run
        kind = run.storedKind ?? "run"
        dataset = run.storedDataset ?? "?"
        configText = (try? String(contentsOf: run.config, encoding: .utf8)) ?? "(no config.json)"
        var history: [String: [(Int, Double)]] = [:]
        let records = run.metricsRecords()
        for (step, values) in records {
            for (key, value) in values where key != "step" && key != "epoch" { history[key, default: []].append((step, value)) }
        }
        self.history = history
        lastMetrics = records.last?.values
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: run.evaluations.path)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        evaluations = files.compactMap { file in
            guard let data = try? Data(contentsOf: run.evaluations.appendingPathComponent(file)),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return (String(file.dropLast(".json".count)), object)
        }
    }
}

extension RunReport {
    /// The run folders directly inside `folder` (those with a `config.json`), by name.
    public static func runs(in folder: String) -> [RunFolder] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.sorted().map { RunFolder((folder as NSString).appendingPathComponent($0)) }
            .filter { FileManager.default.fileExists(atPath: $0.config.path) }
    }

    /// Writes `index.html` in `folder`: one row per run (linking to its page) with its kind,
    /// dataset, last step, final metrics and recorded evaluations, so that runs can be compared
    /// at a glance.
    ///
    /// - Returns: The path written.
    @discardableResult
    public static func writeIndex(of runs: [RunFolder], to folder: String) throws -> String {
        let summaries = runs.map(RunSummary.init)
        let metricKeys = Set(summaries.flatMap { $0.lastMetrics?.keys.map { $0 } ?? [] })
            .subtracting(["step", "epoch"]).sorted()
        var html = header(title: "Mirage runs in \(folder)")
        html += "<h1>Runs in \(escape(folder))</h1>\n<table><tr><th>run</th><th>kind</th><th>dataset</th><th>step</th>"
        html += metricKeys.map { "<th>\(escape($0))</th>" }.joined() + "<th>evaluations</th></tr>\n"
        for s in summaries {
            let name = s.run.root.lastPathComponent
            html += "<tr><td><a href=\"\(escape(name))/index.html\">\(escape(name))</a></td><td>\(escape(s.kind))</td>"
            html += "<td>\(escape(s.dataset))</td><td>\(s.lastStep.map(String.init) ?? "–")</td>"
            html += metricKeys.map { key in "<td>\(s.lastMetrics?[key].map(format) ?? "–")</td>" }.joined()
            let evals = s.evaluations.map { name, result in
                let numbers = result.keys.sorted().compactMap { key -> String? in
                    guard let d = result[key] as? Double, !(result[key] is Bool), key != "seconds" else { return nil }
                    return "\(key) \(format(d))"
                }
                return "<b>\(escape(name))</b>: \(escape(numbers.joined(separator: ", ")))"
            }
            html += "<td>\(evals.joined(separator: "<br>"))</td></tr>\n"
        }
        html += "</table>\n</body></html>\n"
        let path = (folder as NSString).appendingPathComponent("index.html")
        try Data(html.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

extension RunFolder {
    /// `evals/`: the results `mirage eval` recorded for this run, one JSON file each.
    public var evaluations: URL { root.appendingPathComponent("evals", isDirectory: true) }

    /// Records an evaluation's result as `evals/<name>.json` (replacing an earlier one of that
    /// name) and rewrites the run's page to show it.
    ///
    /// - Throws: File errors when the folder is not writable.
    public func recordEvaluation(_ name: String, _ result: [String: Any]) throws {
        try FileManager.default.createDirectory(at: evaluations, withIntermediateDirectories: true)
        let data = try JSONSerialization.data(withJSONObject: result, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: evaluations.appendingPathComponent("\(name).json"))
        try RunReport.write(for: self)
    }
}
