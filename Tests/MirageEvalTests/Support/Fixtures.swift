import Foundation
import MirageEval
import MirageTensor

/// The JSON fixtures written by `scripts/make_eval_fixtures.py` (NumPy and SciPy reference values).
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The parsed JSON object of `name` (e.g. `linalg.json`).
    static func load(_ name: String) -> [String: Any] {
        let url = directory.appendingPathComponent(name)
        guard let data = try? Data(contentsOf: url),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            fatalError("cannot read fixture \(url.path); regenerate it with scripts/make_eval_fixtures.py")
        }
        return object
    }

    /// The cases in array `key` of fixture `name`.
    static func cases(_ name: String, _ key: String) -> [[String: Any]] {
        guard let cases = load(name)[key] as? [[String: Any]] else { fatalError("fixture \(name) has no array '\(key)'") }
        return cases
    }
}

extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) -> String { self[key] as! String }
    func double(_ key: String) -> Double {
        if let s = self[key] as? String, s == "inf" { return .infinity }
        return (self[key] as! NSNumber).doubleValue
    }
    func vector(_ key: String) -> [Double] { (self[key] as! [NSNumber]).map(\.doubleValue) }
    func matrix(_ key: String) -> Matrix { Matrix((self[key] as! [[NSNumber]]).map { $0.map(\.doubleValue) }) }
    /// A [N, d] Float32 tensor from a list of rows.
    func tensor(_ key: String) -> Tensor {
        let rows = (self[key] as! [[NSNumber]]).map { $0.map(\.floatValue) }
        return Tensor(rows.flatMap { $0 }, shape: [rows.count, rows.first?.count ?? 0])
    }
}

/// The repository's root, from this file's path (Tests/MirageEvalTests/Support/Fixtures.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().path

/// |a − b| ≤ atol + rtol·|b|, with infinities equal to themselves.
func close(_ a: Double, _ b: Double, atol: Double = 1e-9, rtol: Double = 1e-9) -> Bool {
    if a == b { return true }
    return Swift.abs(a - b) <= atol + rtol * Swift.abs(b)
}
