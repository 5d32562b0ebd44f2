import ArgumentParser
import Foundation

extension NoiseSchedule.Kind: ExpressibleByArgument {}
extension DDPM.Architecture: ExpressibleByArgument {}

/// `mirage train ddpm`: the denoising diffusion model.
public enum DDPMKind: ModelKind {
    public static let name = "ddpm"
    public static let summary = "DDPM: noise-prediction U-Net, EMA, DDPM/DDIM sampling, classifier-free guidance"
    public static let discussion = """
        A U-Net of residual blocks that each receive the time embedding, with attention at \
        7×7 (--architecture resunet, 32-64-64 channels; timeunet is the ddpm_unet benchmark's \
        smaller network) learns to predict the noise of q(x_t | x_0), T = 1000, with the simple MSE loss, Adam \
        2e-4 and gradients clipped to norm 1. Samples come from an exponential moving average of \
        the weights (--ema-decay, warmed up). --conditional adds a class embedding, drops the \
        class for --label-dropout of the images and samples with classifier-free guidance. \
        Sheets: samples (one class per row when conditional) and the trajectory x_T → x_0.

        Examples:
          mirage train ddpm --steps 5000 --out runs/ddpm
          mirage train ddpm --conditional --schedule cosine --out runs/ddpm-c
          mirage sample runs/ddpm --sampler ddim --sampling-steps 50 --count 10000 --out ddpm.npy
          mirage sample runs/ddpm-c --class 3 --guidance 3 --out threes.npy
        """

    public struct Options: ParsableArguments {
        @Option(help: "Noise-prediction network: resunet (residual blocks, attention at 7×7) or timeunet (the ddpm_unet benchmark's).")
        public var architecture: DDPM.Architecture = .residualUNet

        @Option(help: "Noise schedule: linear (β from 1e-4 to 0.02) or cosine.")
        public var schedule: NoiseSchedule.Kind = .linear

        @Option(help: "Diffusion steps T.")
        public var timesteps: Int = 1000

        @Option(help: "The U-Net's base channel count (a multiple of 8).")
        public var width: Int = 32

        @Flag(help: "Train class-conditionally, for classifier-free guidance.")
        public var conditional = false

        @Option(help: "Share of training images whose class is dropped (conditional).")
        public var labelDropout: Float = 0.1

        @Option(help: "Decay of the weights' moving average used for sampling.")
        public var emaDecay: Float = 0.9999

        @Option(help: "Learning rate of Adam.")
        public var lr: Float = 2e-4

        @Option(help: "DDIM steps of the run's sheets and default sampler (0: ancestral DDPM, all T steps).")
        public var samplingSteps: Int = 50

        @Option(help: "DDIM's η of the default sampler (0: deterministic).")
        public var eta: Float = 0

        @Option(help: "Guidance weight w of the default conditional sampler.")
        public var guidance: Float = 3

        public init() {}

        public func validate() throws {
            guard (2...10_000).contains(timesteps) else { throw ValidationError("--timesteps must lie in 2...10000, got \(timesteps)") }
            guard width >= 8, width % 8 == 0, width <= 512 else { throw ValidationError("--width must be a multiple of 8 up to 512, got \(width)") }
            guard (0..<1).contains(labelDropout) else { throw ValidationError("--label-dropout must lie in [0, 1), got \(labelDropout)") }
            guard (0...1).contains(emaDecay) else { throw ValidationError("--ema-decay must lie in [0, 1], got \(emaDecay)") }
            guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
            guard (0...timesteps).contains(samplingSteps) else {
                throw ValidationError("--sampling-steps must lie in 0...\(timesteps) (0: all T steps of DDPM), got \(samplingSteps)")
            }
            guard eta >= 0, eta.isFinite else { throw ValidationError("--eta must be at least 0, got \(eta)") }
            guard guidance >= 0, guidance.isFinite else { throw ValidationError("--guidance must be at least 0, got \(guidance)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> DDPM.Config {
        var c = DDPM.Config()
        c.imageShape = data.sampleShape
        c.architecture = o.architecture
        c.schedule = o.schedule
        c.timesteps = o.timesteps
        c.width = o.width
        c.classes = try data.classes(conditional: o.conditional, kind: name)
        c.labelDropout = o.labelDropout
        c.emaDecay = o.emaDecay
        c.learningRate = o.lr
        c.samplingSteps = o.samplingSteps
        c.eta = o.eta
        c.guidance = o.guidance
        c.seed = seed
        return c
    }

    /// Version 0 (runs from before configuration versions): from before the choice of network,
    /// which was the TimeUNet.
    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        if version < 1, configuration["architecture"] == nil { configuration["architecture"] = DDPM.Architecture.timeUNet.rawValue }
    }

    public static func make(_ config: DDPM.Config) throws -> DDPM {
        try validateConfiguration(kind: name, imageShape: config.imageShape, sizes: [("width", config.width)],
                                  learningRate: config.learningRate)
        guard config.imageShape[1] % 4 == 0, config.imageShape[2] % 4 == 0 else {
            throw ModelConfigurationError.unsuitable(
                kind: name, reason: "the U-Net halves the image twice, so its sides must divide by 4, and the data are "
                    + config.imageShape.map(String.init).joined(separator: "×"))
        }
        guard config.width % 8 == 0, (2...10_000).contains(config.timesteps), (0...1000).contains(config.classes),
              (0...config.timesteps).contains(config.samplingSteps), (0...1).contains(config.emaDecay) else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "width \(config.width), \(config.timesteps) timesteps, "
                + "\(config.classes) classes, \(config.samplingSteps) sampling steps or EMA decay \(config.emaDecay) out of range")
        }
        return DDPM(config)
    }
}
