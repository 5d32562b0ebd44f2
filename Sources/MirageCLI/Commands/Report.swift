import ArgumentParser
import Foundation
import MirageModels

extension Mirage {
    /// `mirage report [runs]`: rewrites every run's page and an index comparing the runs.
    struct Report: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "report",
            abstract: "Write each run's index.html and an index.html comparing the runs in a folder.",
            discussion: """
            Every run folder inside FOLDER (one with a config.json) gets its page rewritten: the \
            configuration, the latest metrics, SVG curves of every logged quantity, each sheet \
            with a slider over the epochs (the PNGs embedded, so the page stands alone) and the \
            results mirage eval recorded in its evals/ folder. FOLDER/index.html then lists the \
            runs with their kind, dataset, last step, final metrics and evaluations, each linked \
            to its page. Given a single run folder, only its page is written.

            Examples:
              mirage report
              mirage report runs/anomaly
              mirage report runs/vae
            """
        )

        @Argument(help: ArgumentHelp("A folder of runs, or one run folder.", valueName: "folder"))
        var folder: String = "runs"

        func run() throws {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw ValidationError("\(folder) is not a folder; pass the folder that holds your runs (default: runs)")
            }
            let single = RunFolder(folder)
            if FileManager.default.fileExists(atPath: single.config.path) {
                try RunReport.write(for: single)
                print("wrote \(single.indexPage.path)")
                return
            }
            let runs = RunReport.runs(in: folder)
            guard !runs.isEmpty else {
                throw ValidationError("\(folder) holds no run folders (folders with a config.json); train one with mirage train")
            }
            for run in runs { try RunReport.write(for: run) }
            let index = try RunReport.writeIndex(of: runs, to: folder)
            print("wrote \(runs.count) run pages and \(index)")
        }
    }
}
