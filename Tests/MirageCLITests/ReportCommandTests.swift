import Foundation
import MirageData
import Testing

/// `mirage report` and the run pages, opened in a real headless browser (Debian's chromium).
@Suite struct ReportCommandTests {
    /// The browser, if one is installed: chromium, or chromium-browser elsewhere.
    static let browser: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser"] {
                let candidate = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            }
        }
        return nil
    }()

    /// Opens `page` headless, returning its console lines and its screenshot.
    static func open(_ page: String, screenshot: String) throws -> (console: [String], image: RasterImage) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser!)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                             "--window-size=1200,1600", "--virtual-time-budget=3000", "--screenshot=\(screenshot)",
                             URL(fileURLWithPath: page).absoluteString]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (log.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init), try PNG.read(screenshot))
    }

    @Test func runPagesShowTheRunAndTheIndexComparesRuns() throws {
        let dir = CLI.temporaryDirectory("report")
        defer { try? FileManager.default.removeItem(at: dir) }
        let vae = dir.appendingPathComponent("vae").path, ae = dir.appendingPathComponent("ae").path
        #expect(try CLI.run(["train", "vae", "--steps", "20", "--subset", "320", "--log-every", "5", "--out", vae]).status == 0)
        #expect(try CLI.run(["train", "ae", "--steps", "20", "--subset", "320", "--exclude-class", "1", "--out", ae]).status == 0)
        let nll = try CLI.run(["eval", "nll", vae, "--count", "100", "--samples", "5"])
        #expect(nll.status == 0, "\(nll.stderr)")
        #expect(try CLI.run(["eval", "anomaly", ae, "--count", "300"]).status == 0)
        // mirage eval recorded its results in the run and on its page.
        #expect(FileManager.default.fileExists(atPath: vae + "/evals/nll.json"))
        #expect(FileManager.default.fileExists(atPath: ae + "/evals/anomaly-recon-class1.json"))
        let page = try String(contentsOfFile: vae + "/index.html", encoding: .utf8)
        for part in ["<h2>Evaluations</h2>", "nll_bits_per_dim", "<svg", "type=\"range\"", "data:image/png;base64,", "samples/epoch-004.png"] {
            #expect(page.contains(part), "the run page lacks \(part)")
        }
        let report = try CLI.run(["report", dir.path])
        #expect(report.status == 0 && report.stdout.contains("wrote 2 run pages"), "\(report.stderr)")
        let index = try String(contentsOfFile: dir.path + "/index.html", encoding: .utf8)
        #expect(index.contains("href=\"ae/index.html\"") && index.contains("href=\"vae/index.html\"") && index.contains("auroc"))
        let empty = try CLI.run(["report", dir.appendingPathComponent("vae/samples").path])
        #expect(empty.status != 0 && empty.stderr.contains("holds no run folders"), "\(empty.stderr)")

        guard Self.browser != nil else {
            // CI installs chromium and sets MIRAGE_REQUIRE_BROWSER=1, so there this cannot pass unseen.
            #expect(ProcessInfo.processInfo.environment["MIRAGE_REQUIRE_BROWSER"] != "1", "chromium is not installed")
            return
        }
        for (name, file) in [("run page", vae + "/index.html"), ("index", dir.path + "/index.html")] {
            let (console, image) = try Self.open(file, screenshot: dir.appendingPathComponent("\(name).png").path)
            #expect(console.isEmpty, "\(name): \(console)")
            // Not blank: the page's text, curves and sheets give many distinct gray levels.
            let levels = Set(image.pixels)
            #expect(image.width == 1200 && levels.count > 16, "\(name): \(levels.count) distinct levels")
        }
    }
}
