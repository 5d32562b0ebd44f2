import ArgumentParser
import MirageTensor

/// `mirage sample` for a diffusion run: the chain (`--sampler ddpm` ancestral through all T
/// steps, or `ddim` with `--sampling-steps` and `--eta`), and for a class-conditional run
/// `--class K` with classifier-free `--guidance w`. Options left out keep the run's own.
///
/// ```sh
/// mirage sample runs/ddpm --sampler ddim --sampling-steps 50 --count 10000 --out ddpm.npy
/// mirage sample runs/ddpm-c --class 3 --guidance 3 --count 100 --out threes.npy
/// ```
public struct DiffusionSamplingOptions: ParsableArguments {
    public enum SamplerName: String, ExpressibleByArgument, CaseIterable, Sendable {
        case ddpm, ddim
    }

    @Option(help: ArgumentHelp("The sampler: ddpm or ddim (default: the run's, DDIM-50 unless trained otherwise).", valueName: "ddpm|ddim"))
    public var sampler: SamplerName?

    @Option(help: "DDIM steps (default 50).")
    public var samplingSteps: Int?

    @Option(help: "DDIM's η: 0 is deterministic, 1 is as stochastic as DDPM (default 0).")
    public var eta: Float?

    @Option(help: "Classifier-free guidance weight w with --class (default: the run's, 3).")
    public var guidance: Float?

    @OptionGroup public var label: ClassOption

    public init() {}

    public func validate() throws {
        if let samplingSteps, samplingSteps < 1 { throw ValidationError("--sampling-steps must be positive, got \(samplingSteps)") }
        if let eta, !(eta >= 0 && eta.isFinite) { throw ValidationError("--eta must be at least 0, got \(eta)") }
        if let guidance, !(guidance >= 0 && guidance.isFinite) { throw ValidationError("--guidance must be at least 0, got \(guidance)") }
        if sampler == .ddpm, samplingSteps != nil || eta != nil {
            throw ValidationError("--sampling-steps and --eta are DDIM's; --sampler ddpm always takes all T steps")
        }
        if guidance != nil, label.label == nil {
            throw ValidationError("--guidance steers the samples towards a class; give one with --class K")
        }
    }

    /// The sampler and guidance asked for; `nil` fields keep the model's defaults.
    public var settings: SamplerSettings {
        var settings = SamplerSettings(guidance: guidance)
        if sampler == .ddpm {
            settings.sampler = .ddpm
        } else if sampler == .ddim || samplingSteps != nil || eta != nil {
            settings.sampler = .ddim(steps: samplingSteps ?? 50, eta: eta ?? 0)
        }
        return settings
    }
}

/// The sampler settings of a diffusion model's draw; `nil` fields keep the model's defaults.
public struct SamplerSettings: Equatable, Sendable {
    /// The sampler, e.g. `.ddim(steps: 50, eta: 0)`.
    public var sampler: DiffusionSampler?
    /// The classifier-free guidance weight w for class-conditional sampling.
    public var guidance: Float?

    public init(sampler: DiffusionSampler? = nil, guidance: Float? = nil) {
        self.sampler = sampler
        self.guidance = guidance
    }
}

extension DDPMKind {
    public typealias SamplingOptions = DiffusionSamplingOptions

    /// Samples through the chain the options ask for, reporting each step.
    public static func sample(_ model: DDPM, _ request: SampleRequest, options: DiffusionSamplingOptions) throws -> Tensor {
        if let steps = options.samplingSteps, steps > model.maximumSamplingSteps {
            throw ValidationError("--sampling-steps \(steps) is more than the \(model.maximumSamplingSteps) steps this run was trained with")
        }
        let label = try options.label.checked(for: model)
        return model.sample(count: request.count, class: label, settings: options.settings, generator: request.generator,
                            progress: request.progress)
    }
}
