import ArgumentParser
import Foundation
import MirageData
import MirageModels
import MirageNN
import MirageTensor

extension Mirage {
    /// `mirage sample <run>`: draws images from a trained model.
    struct Sample: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Draw samples from a trained run as .npy (and optionally a PNG sheet).",
            discussion: """
            The .npy file holds float32 N×C×H×W values in [0, 1], readable with numpy.load. \
            --class K draws class K from a conditional model. A diffusion model's chain can be \
            chosen: --sampler ddpm (ancestral, all T steps) or ddim (--sampling-steps, --eta), and \
            --guidance w for classifier-free guidance of a class; progress and images/s go to \
            standard error. A flow samples at --temperature T (the latents' spread times T). A \
            PixelCNN draws one pixel at a time, a pass of its network each, with progress and \
            images/s likewise. --latents z.npy generates from given latent vectors (GANs' \
            noise, a VAE's codes; float32 N×size) instead of drawing them.

            Examples:
              mirage sample runs/dcgan --count 10000 --out samples.npy
              mirage sample runs/vae --count 64 --out vae.npy --grid vae.png
              mirage sample runs/cgan --class 7 --count 100 --out sevens.npy
              mirage sample runs/ddpm --sampler ddim --sampling-steps 50 --count 10000 --out ddpm.npy
              mirage sample runs/ddpm-c --class 3 --guidance 3 --count 100 --out threes.npy
              mirage sample runs/glow --temperature 0.7 --count 64 --out glow.npy --grid glow.png
              mirage sample runs/pixelcnn --count 64 --out pixelcnn.npy --grid pixelcnn.png
              mirage sample runs/dcgan --latents z.npy --out from-z.npy    # z: float32 N×100
            """
        )

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

        @Option(name: .customLong("class"), help: "Draw samples of this class only (conditional models).")
        var label: Int?

        @Option(help: ArgumentHelp("Diffusion sampler: ddpm or ddim (default: the run's, DDIM-50 unless trained otherwise).",
                                   valueName: "ddpm|ddim"))
        var sampler: SamplerName?

        @Option(help: "DDIM steps (default 50).")
        var samplingSteps: Int?

        @Option(help: "DDIM's η: 0 is deterministic, 1 is as stochastic as DDPM (default 0).")
        var eta: Float?

        @Option(help: "Classifier-free guidance weight w with --class (default: the run's, 3).")
        var guidance: Float?

        @Option(help: "Scale of the latents' spread for flows (default: the run's, 1; Glow shows 0.7).")
        var temperature: Float?

        @Option(help: ArgumentHelp("Generate from these latent vectors instead of random ones: a float32 .npy of N×latent size (GANs' noise, VAEs' codes); N samples.",
                                   valueName: "z.npy"))
        var latents: String?

        enum SamplerName: String, ExpressibleByArgument, CaseIterable {
            case ddpm, ddim
        }

        @OptionGroup var threads: ThreadOptions

        func validate() throws {
            guard count > 0 else { throw ValidationError("--count must be positive, got \(count)") }
            if let samplingSteps, samplingSteps < 1 { throw ValidationError("--sampling-steps must be positive, got \(samplingSteps)") }
            if let eta, !(eta >= 0 && eta.isFinite) { throw ValidationError("--eta must be at least 0, got \(eta)") }
            if let guidance, !(guidance >= 0 && guidance.isFinite) { throw ValidationError("--guidance must be at least 0, got \(guidance)") }
            if let temperature, !(temperature > 0 && temperature.isFinite) { throw ValidationError("--temperature must be positive, got \(temperature)") }
            if temperature != nil, sampler != nil || samplingSteps != nil || eta != nil || guidance != nil {
                throw ValidationError("--temperature is for flows; --sampler, --sampling-steps, --eta and --guidance for diffusion models")
            }
            if latents != nil, label != nil || temperature != nil || settings != nil {
                throw ValidationError("--latents gives the whole input of the generator; --class, --temperature and the diffusion options do not go with it")
            }
            if sampler == .ddpm, samplingSteps != nil || eta != nil {
                throw ValidationError("--sampling-steps and --eta are DDIM's; --sampler ddpm always takes all T steps")
            }
        }

        /// The settings given on the command line, or `nil` when none were.
        var settings: SamplerSettings? {
            guard sampler != nil || samplingSteps != nil || eta != nil || guidance != nil else { return nil }
            var settings = SamplerSettings(guidance: guidance)
            if sampler == .ddpm {
                settings.sampler = .ddpm
            } else if sampler == .ddim || samplingSteps != nil || eta != nil {
                settings.sampler = .ddim(steps: samplingSteps ?? 50, eta: eta ?? 0)
            }
            return settings
        }

        func run() throws {
            threads.apply()
            let run = try LoadedRun(runPath)
            let model = run.model
            model.setTraining(false)
            let samples: Tensor
            if let latents {
                samples = try decode(latentsFile: latents, run)
            } else if let temperature {
                guard let flow = model as? any TemperatureSampling else {
                    throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "sampling at a temperature (--temperature)",
                                            modelsWithIt: ModelRegistry.names { $0 is any TemperatureSampling.Type })
                }
                if label != nil { throw ValidationError("--class and --temperature do not go together: \(runPath) is not class-conditional") }
                samples = flow.sample(count: count, temperature: temperature, generator: RandomGenerator(seed: seed))
            } else if let settings {
                guard let iterative = model as? any IterativeSampling else {
                    throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "choice of sampler (--sampler, --sampling-steps, --eta, --guidance)",
                                            modelsWithIt: ModelRegistry.names { $0 is any IterativeSampling.Type })
                }
                if let steps = samplingSteps, steps > iterative.maximumSamplingSteps {
                    throw ValidationError("--sampling-steps \(steps) is more than the \(iterative.maximumSamplingSteps) steps \(runPath) was trained with")
                }
                if settings.guidance != nil && label == nil {
                    throw ValidationError("--guidance steers the samples towards a class; give one with --class K")
                }
                try checkClass(run)
                samples = sampleWithProgress { progress in
                    iterative.sample(count: count, class: label, settings: settings, generator: RandomGenerator(seed: seed), progress: progress)
                }
            } else if let progressive = model as? any ProgressiveSampling {
                try checkClass(run)
                samples = sampleWithProgress { progress in
                    progressive.sample(count: count, class: label, generator: RandomGenerator(seed: seed), progress: progress)
                }
            } else if let label {
                let conditional = try checkClass(run)!
                samples = conditional.sample(count: count, class: label, generator: RandomGenerator(seed: seed))
            } else {
                guard let sampler = model as? any Sampling else {
                    throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "sampling from noise (it translates images: mirage translate \(runPath) INPUT --out OUT.npy)",
                                            modelsWithIt: ModelRegistry.names { $0 is any Sampling.Type })
                }
                samples = sampler.sample(count: count, generator: RandomGenerator(seed: seed))
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

        /// The model's samples of the latent vectors in `path`, after checking the file's shape and values.
        func decode(latentsFile path: String, _ run: LoadedRun) throws -> Tensor {
            guard let decoder = run.model as? any LatentDecoding else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "generating from given latents (--latents)",
                                        modelsWithIt: ModelRegistry.names { $0 is any LatentDecoding.Type })
            }
            let array = try NPY.read(path)
            guard case .float32 = array.values else {
                throw ValidationError("\(path): latents must be float32 (numpy's np.float32); this file holds another type")
            }
            guard array.shape.count == 2, array.shape[0] > 0, array.shape[1] == decoder.latentSize else {
                throw ValidationError("\(path): latents of shape \(array.shape); \(runPath) takes N×\(decoder.latentSize) (N ≥ 1)")
            }
            let z = array.tensor
            if let bad = z.scalars.firstIndex(where: { !$0.isFinite }) {
                throw ValidationError("\(path): latent value \(bad) (row \(bad / decoder.latentSize)) is \(z.scalars[bad]), not a finite number")
            }
            return decoder.decode(latents: z)
        }

        /// With `--class`: the model as a conditional one, after checking that it has the class.
        @discardableResult
        func checkClass(_ run: LoadedRun) throws -> (any ConditionalSampling)? {
            guard let label else { return nil }
            guard let conditional = run.model as? any ConditionalSampling else {
                throw MissingCapability(subject: "\(runPath) (\(run.kind))", capability: "conditional sampling",
                                        modelsWithIt: ModelRegistry.names { $0 is any ConditionalSampling.Type })
            }
            guard conditional.classCount > 0 else {
                throw ValidationError("\(runPath) was trained without classes, so --class has nothing to follow; train it with --conditional")
            }
            guard (0..<conditional.classCount).contains(label) else {
                throw ValidationError("--class \(label) is outside the model's classes 0..<\(conditional.classCount)")
            }
            return conditional
        }

        /// Samples by `draw`, a chain of network passes, reporting progress and images/s on standard error.
        func sampleWithProgress(_ draw: (_ progress: (Int, Int) -> Void) -> Tensor) -> Tensor {
            let started = Date()
            var lastDraw = Date.distantPast
            let samples = draw { done, total in
                guard Date().timeIntervalSince(lastDraw) > 1 || done == total else { return }
                lastDraw = Date()
                let elapsed = Date().timeIntervalSince(started)
                let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : 0
                FileHandle.standardError.write(Data(String(format: "sampling: step %d/%d  %.0f s  ETA %.0f s\n", done, total, elapsed, eta).utf8))
            }
            let seconds = Date().timeIntervalSince(started)
            FileHandle.standardError.write(Data(String(format: "sampled %d images in %.1f s: %.2f images/s\n", count, seconds,
                                                       Double(count) / max(seconds, 1e-9)).utf8))
            return samples
        }
    }
}

/// A trained run, restored: the model from its checkpoint, its kind and the dataset it trained on.
struct LoadedRun {
    let model: any GenerativeModel
    let kind: String
    /// The dataset recorded in the run folder's config.json (mnist when there is none).
    let dataset: String
    /// Domains A and B when the run trained on two domains named apart.
    let domains: (a: String, b: String)?
    /// The run folder (for a checkpoint file, the run it sits in).
    let folder: RunFolder
    /// The training step the checkpoint was saved at.
    let step: Int

    /// Restores the run in a run folder, or the model in a checkpoint file.
    init(_ path: String) throws {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else { throw ValidationError("\(path) does not exist; pass a run folder such as runs/dcgan") }
        let file = isDirectory.boolValue ? RunFolder(path).lastCheckpoint.path : path
        guard FileManager.default.fileExists(atPath: file) else {
            throw ValidationError("\(path) has no checkpoint at \(file); train it first with mirage train")
        }
        let checkpoint = try Checkpoint.read(from: URL(fileURLWithPath: file))
        let header = try TrainingCheckpoint.header(checkpoint, path: file)
        model = try ModelRegistry.make(kind: header.kind, configuration: header.config)
        try TrainingCheckpoint.restore(model, from: checkpoint, path: file)
        kind = header.kind
        step = header.step
        folder = isDirectory.boolValue ? RunFolder(path) : RunFolder(URL(fileURLWithPath: file).deletingLastPathComponent().deletingLastPathComponent().path)
        dataset = folder.storedDataset ?? "mnist"
        domains = folder.storedDomains
    }
}
