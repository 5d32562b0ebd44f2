import Foundation
import Testing

/// Every relative link and image in README.md and docs/ points at a file that exists, and every
/// `#fragment` into a Markdown file names one of its headings, so that moving a page or renaming a
/// heading cannot leave a dead link behind.
@Suite struct DocumentationLinkTests {
    /// The package root: the first folder above this file that holds Package.swift.
    static let root: URL = {
        var folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
            precondition(folder.path != "/", "no Package.swift above \(#filePath)")
            folder.deleteLastPathComponent()
        }
        return folder
    }()

    @Test func everyRelativeLinkAndAnchorResolves() throws {
        var broken: [String] = []
        for file in Self.markdownFiles() {
            let page = Self.root.appendingPathComponent(file)
            for target in try Self.links(in: String(contentsOfFile: page.path, encoding: .utf8)) where !Self.isExternal(target) {
                let parts = target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
                let path = String(parts[0])
                let resolved = path.isEmpty ? page : page.deletingLastPathComponent().appendingPathComponent(path).standardized
                guard FileManager.default.fileExists(atPath: resolved.path) else {
                    broken.append("\(file): \(target) (no such file)")
                    continue
                }
                if parts.count > 1, resolved.pathExtension == "md",
                   try !Self.anchors(in: String(contentsOfFile: resolved.path, encoding: .utf8)).contains(String(parts[1])) {
                    broken.append("\(file): \(target) (no such heading)")
                }
            }
        }
        #expect(broken.isEmpty, "broken links:\n\(broken.joined(separator: "\n"))")
    }

    /// The marks `scripts/quality/splice` writes between (`<!-- NAME -->` … `<!-- /NAME -->`, each
    /// on a line of its own) come in pairs, once per page and in order, so that a splice cannot
    /// swallow the rest of a page.
    @Test func spliceMarksComeInPairs() throws {
        var problems: [String] = []
        for file in Self.markdownFiles() {
            let lines = try String(contentsOf: Self.root.appendingPathComponent(file), encoding: .utf8).components(separatedBy: "\n")
            var open: String?, seen = Set<String>()
            for line in lines {
                guard line.hasPrefix("<!-- "), line.hasSuffix(" -->") else { continue }
                let name = String(line.dropFirst(5).dropLast(4))
                if name.hasPrefix("/") {
                    if open != String(name.dropFirst()) { problems.append("\(file): \(line) without its opening mark") }
                    open = nil
                } else if open != nil || !seen.insert(name).inserted {
                    problems.append("\(file): \(line) opened twice or inside another")
                } else {
                    open = name
                }
            }
            if let open { problems.append("\(file): <!-- \(open) --> never closed") }
        }
        #expect(problems.isEmpty, "\(problems)")
    }

    @Test func anchorsFollowGitHubsRule() {
        #expect(Self.anchor("WGAN, WGAN-GP and LAPGAN (issue 14)") == "wgan-wgan-gp-and-lapgan-issue-14")
        #expect(Self.anchor("`mirage train`") == "mirage-train")
        #expect(Self.anchor("CycleGAN's B → A target") == "cyclegans-b--a-target")
    }

    /// README.md and every .md file under docs/, relative to the root.
    static func markdownFiles() -> [String] {
        let docs = FileManager.default.enumerator(atPath: root.appendingPathComponent("docs").path)?.allObjects ?? []
        return ["README.md"] + docs.compactMap { $0 as? String }.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    static func isExternal(_ target: String) -> Bool {
        ["http:", "https:", "mailto:"].contains { target.hasPrefix($0) }
    }

    /// The targets of `[text](target)` and `![alt](target)` outside fenced code blocks.
    static func links(in text: String) throws -> [String] {
        let prose = proseLines(text).joined(separator: "\n")
        let link = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        return link.matches(in: prose, range: NSRange(prose.startIndex..., in: prose)).compactMap { match in
            Range(match.range(at: 1), in: prose).map { String(prose[$0]) }
        }
    }

    /// The anchors of a page's headings.
    static func anchors(in text: String) -> Set<String> {
        Set(proseLines(text).compactMap { line -> String? in
            guard line.range(of: #"^#{1,6} "#, options: .regularExpression) != nil else { return nil }
            return anchor(line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces))
        })
    }

    /// GitHub's rule: lowercase, drop punctuation but hyphens, underscores and spaces, spaces to hyphens.
    static func anchor(_ heading: String) -> String {
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: heading.lowercased().unicodeScalars.filter {
            CharacterSet.alphanumerics.contains($0) || "-_ ".unicodeScalars.contains($0)
        })
        return String(kept).replacingOccurrences(of: " ", with: "-")
    }

    /// The lines outside fenced code blocks (a fence may be indented, as in a list).
    static func proseLines(_ text: String) -> [String] {
        var inFence = false
        return text.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("```") {
                inFence.toggle()
                return nil
            }
            return inFence ? nil : String(line)
        }
    }
}
