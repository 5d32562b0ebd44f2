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
            guard model is any Sampling else {
                let how = model is any TranslationModel ? " (it translates images: mirage translate \(runPath) INPUT --out OUT.npy)" : ""
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "sampling from noise\(how)",
                                        modelsWithIt: ModelRegistry.names { $0 is any Sampling.Type })
            }
            let samples = try withProgress { progress in
                do {
                    return try run.kindType.sample(model, SampleRequest(count: count, seed: seed, progress: progress), arguments: modelArguments)
                } catch {
                    throw Self.explainSamplingOption(error, kind: run.kindType, run: runPath) ?? error
                }
            }
            try NPY.write(NPYArray(samples), to: out)
            print("wrote \(samples.shape.map(String.init).joined(separator: "×")) samples to \(out)")
            if let grid {
                if samples.rank == 2 && samples.shape[1] == 2 {
                    // 2-D points: a scatter plot of all of them rather than a sheet of images.
                    try PNG.write(ScatterPlot.render(samples), to: grid)
                } else {
                    let shown = samples.sliced(axis: 0, 0..<min(samples.shape[0], 256))
                    try ImageGrid.save(shown, to: grid, nrow: Int(Double(shown.shape[0]).squareRoot().rounded(.up)))
                }
                print("wrote sheet \(grid)")
            }
        }

        /// Runs `draw`, reporting on standard error the progress of a sampler that reports it
        /// (a chain of network passes) and then its images/s.
        func withProgress(_ draw: (_ progress: @escaping (Int, Int) -> Void) throws -> Tensor) throws -> Tensor {
            let started = Date()
            var lastReport = Date.distantPast, reported = false
            let samples = try draw { done, total in
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
