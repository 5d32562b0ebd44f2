import Foundation
import MirageData
import MirageModels
import Testing

@Suite struct RunReportTests {
    /// A run of one-step epochs has a sheet per step: the page embeds 40 epochs, first and last
    /// included, and says where the rest are.
    @Test func aRunWithThousandsOfEpochsKeepsItsPageSmall() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mirage-report-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: root) }
        let run = RunFolder(root.path)
        try run.create()
        try Data("{\"kind\": \"cgan\", \"dataset\": \"mnist\"}".utf8).write(to: run.config)
        let sheet = RasterImage(width: 4, height: 4, channels: 1, filledWith: 128)
        for epoch in 1...300 { try PNG.write(sheet, to: run.sheet(epoch: epoch, name: "samples", main: true).path) }
        try Data((1...300).map { "{\"step\": \($0), \"loss\": \(1.0 / Double($0))}\n" }.joined().utf8).write(to: run.metrics)
        try RunReport.write(for: run)
        let page = try String(contentsOf: run.indexPage, encoding: .utf8)
        #expect(page.components(separatedBy: "<img class=\"sheet\"").count - 1 == 40)
        #expect(page.contains("samples/epoch-001.png") && page.contains("samples/epoch-300.png"))
        #expect(page.contains("40 of 300 epochs shown"))
        #expect(page.contains("<h1>cgan on mnist</h1>") && page.contains("Latest metrics (step 300)"))
    }
}
