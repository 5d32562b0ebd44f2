import ArgumentParser
import Foundation

/// `mirage train realnvp`: the RealNVP flow.
public enum RealNVPKind: ModelKind {
    public static let name = "realnvp"
    public static let summary = "RealNVP: checkerboard and channel-wise affine couplings; exact likelihood"
    public static let discussion = """
        A multi-scale flow (Dinh et al. 2017) on the logit of dequantised pixels, \
        logit(α + (1 − 2α)·x̃) with α = 0.05 (its log-determinant counted): each of --scales \
        levels runs three checkerboard affine couplings, squeezes 2×2 pixels into channels, \
        runs three channel-wise couplings and factors out half the channels; a last level runs \
        four checkerboard couplings. Each coupling's scale and shift come from a residual \
        network of --blocks blocks with --hidden channels; the log-scale is tanh-bounded with a \
        learned per-channel factor. Latents are standard normal. Trained by exact maximum \
        likelihood on uniformly dequantised 8-bit pixels, Adam with a linear warm-up; logs \
        bits_per_dim (the 8-bit offset included). Sheets: samples at temperatures 0.5, 0.7, \
        0.85 and 1, and latent interpolations between test digits.

        Examples:
          mirage train realnvp --steps 3000 --out runs/realnvp
          mirage eval nll runs/realnvp
          mirage sample runs/realnvp --temperature 0.7 --count 64 --out realnvp.npy --grid realnvp.png
        """

    public typealias SamplingOptions = TemperatureOption

    public struct Options: ParsableArguments {
        @Option(help: "Squeezing scales before the last level (the image sides must divide by 2^scales).")
        public var scales: Int = 2

        @Option(help: "Channels of each coupling's residual network.")
        public var hidden: Int = 32

        @Option(help: "Residual blocks in each coupling's network.")
        public var blocks: Int = 1

        @OptionGroup public var training: FlowTrainingOptions

        public init() {}

        public func validate() throws {
            guard (1...6).contains(scales) else { throw ValidationError("--scales must lie in 1...6, got \(scales)") }
            guard (1...1024).contains(hidden) else { throw ValidationError("--hidden must lie in 1...1024, got \(hidden)") }
            guard (0...32).contains(blocks) else { throw ValidationError("--blocks must lie in 0...32, got \(blocks)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> RealNVP.Config {
        var c = RealNVP.Config()
        c.imageShape = data.sampleShape
        c.scales = o.scales
        c.hidden = o.hidden
        c.blocks = o.blocks
        o.training.apply(to: &c)
        c.seed = seed
        return c
    }

    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        upgradeAddingAverage(&configuration, from: version)
    }

    public static func make(_ config: RealNVP.Config) throws -> RealNVP {
        try FlowTrainingOptions.validate(kind: name, config, squeezes: config.scales, option: "scales", sizes: [("hidden", config.hidden), ("scales", config.scales)])
        guard config.blocks >= 0, config.alpha > 0, config.alpha < 0.5 else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "blocks \(config.blocks) or α \(config.alpha) out of range")
        }
        return RealNVP(config)
    }
}
