import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

extension Mirage {
    /// `mirage sample <run>`: draws images from a trained model, with the options that model's
    /// kind declares (``ModelKind/SamplingOptions``) beside the shared ones.
    struct Sample: ParsableCommand {
        static var configuration: CommandConfiguration {
            CommandConfiguration(
                abstract: "Draw samples from a trained run as .npy (and optionally a PNG sheet).",
                usage: "mirage sample <run> [--count <count>] [--out <out>] [--grid <grid>] [--seed <seed>] [<model's sampling options>]",
                discussion: """
                The .npy file holds float32 N×C×H×W values in [0, 1], readable with numpy.load. \
                Beside the options below, each model takes its own sampling options: \
                `mirage sample RUN --help` lists those of the run's model. Models that draw \
                through many passes of their network (diffusion chains, PixelCNN's pixels) report \
                progress and images/s on standard error.

                Sampling options by model:
                \(Self.optionsByModel)

                Examples:
                  mirage sample runs/dcgan --count 10000 --out samples.npy
                  mirage sample runs/vae --count 64 --out vae.npy --grid vae.png
                  mirage sample runs/cgan --class 7 --count 100 --out sevens.npy
                  mirage sample runs/ddpm --sampler ddim --sampling-steps 50 --count 10000 --out ddpm.npy
                  mirage sample runs/ddpm-c --class 3 --guidance 3 --count 100 --out threes.npy
                  mirage sample runs/glow --temperature 0.7 --count 64 --out glow.npy --grid glow.png
                  mirage sample runs/pixelcnn --count 64 --out pixelcnn.npy --grid pixelcnn.png
                  mirage sample runs/dcgan --latents z.npy --out from-z.npy    # z: float32 N×100
                  mirage sample runs/ddpm --help                                # the run's own options
                """
            )
        }

        /// One line per model that takes sampling options of its own, from the registry.
        static var optionsByModel: String {
            ModelRegistry.kinds.compactMap { kind in
                let names = kind.samplingOptionNames
                return names.isEmpty ? nil : "  \(kind.name): " + names.map { "--\($0)" }.joined(separator: " ")
            }.joined(separator: "\n")
        }

        @Argument(help: ArgumentHelp("The run folder (its checkpoints/last.safetensors is used) or a checkpoint file.",
                                     valueName: "run"))
        var runPath: String

        @Option(help: "Number of samples.")
        var count: Int = 64

        @Option(help: "Output .npy file.")
        var out: String = "samples.npy"

        @Option(help: "Also write the first samples (up to 256) as a PNG sheet here (2-D points: a scatter plot of all).")
        var grid: String?

        @Option(help: "Seed of the sampling noise.")
        var seed: UInt64 = 0

        @OptionGroup var threads: ThreadOptions

        /// The run's model's own sampling options, parsed once the run's kind is known.
        @Argument(parsing: .allUnrecognized, help: .hidden)
        var modelArguments: [String] = []

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            let model = run.model
            model.setTraining(false)
            guard let sampler = model as? any Sampling else {
                let how = model is any TranslationModel ? " (it translates images: mirage translate \(runPath) INPUT --out OUT.npy)" : ""
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "sampling from noise\(how)",
                                        modelsWithIt: ModelRegistry.names { $0 is any Sampling.Type })
            }
            let shape = [count] + sampler.sampleShape
            let chunk = Self.chunkSize(sampleShape: sampler.sampleShape, classCount: (model as? any ConditionalSampling)?.classCount ?? 0)
            if count > chunk { try Self.checkFreeDisk(for: shape, out: out) }
            // Large counts are drawn and written a chunk at a time, so that memory stays flat.
            var writer: NPYWriter?
            var shown: Tensor?, points: [Tensor] = [], pointCount = 0
            let generator = RandomGenerator(seed: seed)
            let chunks = (count + chunk - 1) / chunk
            let started = Date()
            var lastReport = Date.distantPast
            for c in 0..<chunks {
                let n = min(chunk, count - c * chunk)
                let samples = try withProgress(report: chunks == 1) { progress in
                    do {
                        var request = SampleRequest(count: n, generator: generator, progress: progress)
                        request.offset = c * chunk
                        return try run.kindType.sample(model, request, arguments: modelArguments)
                    } catch {
                        throw Self.explainSamplingOption(error, kind: run.kindType, run: runPath) ?? error
                    }
                }
                // A model option may set the count itself (a file of latents: one sample a row),
                // which only a draw in one chunk can follow; every chunk is checked, since the
                // writer holds the file to the shape of the first.
                guard samples.shape[0] == n || chunks == 1 else {
                    throw ValidationError("this run's sampling options made \(samples.shape[0]) samples where \(n) were asked; leave out --count")
                }
                if writer == nil {
                    writer = try NPYWriter(path: out, shape: [chunks == 1 ? samples.shape[0] : count] + samples.shape.dropFirst())
                }
                try writer!.append(samples)
                if shown == nil { shown = samples.sliced(axis: 0, 0..<min(samples.shape[0], 256)) }
                if samples.rank == 2, pointCount < Self.scatterLimit {
                    let kept = samples.sliced(axis: 0, 0..<min(samples.shape[0], Self.scatterLimit - pointCount))
                    points.append(kept)
                    pointCount += kept.shape[0]
                }
                if chunks > 1, Date().timeIntervalSince(lastReport) > 1 || c == chunks - 1 {
                    lastReport = Date()
                    let done = c * chunk + n, elapsed = Date().timeIntervalSince(started)
                    FileHandle.standardError.write(Data(String(format: "sampled %d/%d  %.0f s  ETA %.0f s  %.1f images/s\n", done, count, elapsed,
                                                               elapsed * Double(count - done) / Double(done), Double(done) / max(elapsed, 1e-9)).utf8))
                }
            }
            try writer!.finish()
            print("wrote \(writer!.shape.map(String.init).joined(separator: "×")) samples to \(out)")
            try finishSheet(shown!, points: points)
        }

        /// The most 2-D points a scatter sheet plots.
        static let scatterLimit = 100_000

        /// Samples drawn and written at a time: at most 2^24 values (64 MB), a multiple of the
        /// class count so that a conditional model's classes keep their turns across chunks.
        static func chunkSize(sampleShape: [Int], classCount: Int) -> Int {
            var chunk = max(1, min(4096, (1 << 24) / max(1, sampleShape.reduce(1, *))))
            if classCount > 1, chunk > classCount { chunk -= chunk % classCount }
            return chunk
        }

        /// Refuses, before drawing anything, an output that would not fit the free space of its folder.
        static func checkFreeDisk(for shape: [Int], out: String) throws {
            let (elements, overflow) = shape.reduce((1, false)) { acc, d in
                let (p, o) = acc.0.multipliedReportingOverflow(by: d)
                return (p, acc.1 || o)
            }
            let needed = overflow || elements > Int.max / 8 ? Double.infinity : Double(NPYWriter.fileSize(shape: shape))
            let folder = URL(fileURLWithPath: out).deletingLastPathComponent().path
            var stats = statvfs()
            guard statvfs(folder, &stats) == 0 else { return }
            let free = Double(stats.f_bavail) * Double(stats.f_frsize)
            guard needed <= free else {
                throw ValidationError("--count \(shape[0]) samples of \(shape.dropFirst().map(String.init).joined(separator: "×")) float32 need \(Self.bytes(needed)) "
                                      + "and \(folder) has \(Self.bytes(free)) free; ask for fewer or write elsewhere")
            }
        }

        /// A byte count for people: 313.6 TB, 20.1 GB.
        static func bytes(_ n: Double) -> String {
            guard n.isFinite else { return "more bytes than a file can hold" }
            let units = ["bytes", "KB", "MB", "GB", "TB", "PB", "EB"]
            var value = n, unit = 0
            while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
            return unit == 0 ? "\(Int(value)) bytes" : String(format: "%.1f %@", value, units[unit])
        }

        /// The PNG sheet of `--grid`: the first samples as images, or a scatter plot of the points.
        func finishSheet(_ shown: Tensor, points: [Tensor]) throws {
            guard let grid else { return }
            if shown.rank == 2 && shown.shape[1] == 2 {
                // 2-D points: a scatter plot of them (up to scatterLimit) rather than a sheet of images.
                try PNG.write(ScatterPlot.render(Tensor.concat(points, axis: 0)), to: grid)
            } else {
                let first = shown.sliced(axis: 0, 0..<min(shown.shape[0], 256))
                try ImageGrid.save(first, to: grid, nrow: Int(Double(first.shape[0]).squareRoot().rounded(.up)))
            }
            print("wrote sheet \(grid)")
        }

        /// Runs `draw`, reporting on standard error the progress of a sampler that reports it
        /// (a chain of network passes) and then its images/s.
        func withProgress(report: Bool, _ draw: (_ progress: @escaping (Int, Int) -> Void) throws -> Tensor) throws -> Tensor {
            let started = Date()
            var lastReport = Date.distantPast, reported = false
            let samples = try draw { done, total in
                guard report else { return }
                reported = true
                guard Date().timeIntervalSince(lastReport) > 1 || done == total else { return }
                lastReport = Date()
                let elapsed = Date().timeIntervalSince(started)
                let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
                FileHandle.standardError.write(Data(String(format: "sampling: step %d/%d  %.0f s  ETA %.0f s\n", done, total, elapsed, eta).utf8))
            }
            if reported {
                let seconds = Date().timeIntervalSince(started)
                FileHandle.standardError.write(Data(String(format: "sampled %d images in %.1f s: %.2f images/s\n", samples.shape[0], seconds,
                                                           Double(samples.shape[0]) / max(seconds, 1e-9)).utf8))
            }
            return samples
        }

        /// For an option the run's model does not take: which models take it. For a bad value of
        /// one it does take: the parser's message, as an error of this command.
        static func explainSamplingOption(_ error: Error, kind: any ModelKind.Type, run: String) -> Error? {
            guard !(error is ValidationError), !(error is MissingCapability) else { return nil }
            let message = Mirage.message(for: error)
            if let range = message.range(of: #"Unknown option '--[^']+'"#, options: .regularExpression) {
                let option = String(message[range].dropFirst("Unknown option '--".count).dropLast())
                let takers = ModelRegistry.kinds(takingSamplingOption: option)
                let own = kind.samplingOptionNames.map { "--\($0)" }.joined(separator: ", ")
                return ValidationError("--\(option) is not a sampling option of \(run) (\(kind.name)); "
                    + (takers.isEmpty ? "no model takes it" : "it is one of \(takers.joined(separator: ", "))") + ". "
                    + (own.isEmpty ? "\(kind.name) takes none of its own" : "\(kind.name) takes \(own)") + "; see 'mirage sample \(run) --help'")
            }
            return message.isEmpty ? nil : ValidationError(message)
        }

        /// The help of `mirage sample RUN --help`: the shared options and those of the run's model.
        static func help(forRun path: String) -> String? {
            guard let kind = try? LoadedRun.kind(of: path) else { return nil }
            let own = kind.samplingOptionsType.helpMessage(columns: nil)
            let body = own.components(separatedBy: "\n").drop { !$0.hasPrefix("OPTIONS:") }.dropFirst()
                .filter { !$0.contains("-h, --help") && !$0.contains("Show help information.") }
            return helpMessage(columns: nil).replacingOccurrences(of: "  -h, --help              Show help information.\n", with: "")
                + "\nSAMPLING OPTIONS OF \(kind.name.uppercased()) (\(path)):\n"
                + (body.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines).isEmpty
                    ? "  (none: \(kind.name) samples with the shared options only)\n"
                    : body.joined(separator: "\n") + "\n")
        }
    }
}
