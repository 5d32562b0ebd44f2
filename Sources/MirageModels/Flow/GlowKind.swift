import ArgumentParser
import Foundation

/// `mirage train glow`: the Glow flow.
public enum GlowKind: FlowKind {
    public static let name = "glow"
    public static let summary = "Glow: actnorm, invertible 1×1 convolutions, affine couplings; exact likelihood"
    public static let discussion = """
        A multi-scale flow (Kingma & Dhariwal 2018): at each of --levels scales the image is \
        squeezed (2×2 pixels to channels) and passes through --depth steps of actnorm \
        (data-dependent initialisation), an LU-decomposed invertible 1×1 convolution and an \
        affine coupling whose network has --hidden channels; each scale but the last factors \
        out half its channels under a learned Gaussian prior. Trained by exact maximum \
        likelihood on uniformly dequantised 8-bit pixels, Adam with a linear warm-up; logs \
        bits_per_dim (the 8-bit offset included). Sheets: samples at temperatures 0.5, 0.7, \
        0.85 and 1, and latent interpolations between test digits.

        Examples:
          mirage train glow --steps 3000 --out runs/glow
          mirage eval nll runs/glow
          mirage sample runs/glow --temperature 0.7 --count 64 --out glow.npy --grid glow.png
        """

    public typealias Model = Glow
    public typealias Config = Glow.Config
    public typealias ArchitectureOptions = GlowArchitecture
    public typealias Options = FlowOptions<GlowArchitecture>
    public typealias SamplingOptions = TemperatureOption

    public static var defaultConfiguration: Glow.Config { Glow.Config() }

    public static func configure(_ c: inout Glow.Config, _ o: GlowArchitecture) {
        (c.levels, c.depth, c.hidden) = (o.levels, o.depth, o.hidden)
    }

    public static func squeezes(_ c: Glow.Config) -> (count: Int, option: String, sizes: [(String, Int)]) {
        (c.levels, "levels", [("hidden", c.hidden), ("depth", c.depth)])
    }

    public static func build(_ config: Glow.Config) -> Glow { Glow(config) }
}

/// Glow's architecture on `mirage train glow`: scales, steps per scale, coupling width.
public struct GlowArchitecture: ParsableArguments {
    @Option(help: "Scales of the multi-scale architecture (the image sides must divide by 2^levels).")
    public var levels: Int = 2

    @Option(help: "Flow steps per scale.")
    public var depth: Int = 8

    @Option(help: "Channels of each coupling's network.")
    public var hidden: Int = 128

    public init() {}

    public func validate() throws {
        guard (1...6).contains(levels) else { throw ValidationError("--levels must lie in 1...6, got \(levels)") }
        guard (1...64).contains(depth) else { throw ValidationError("--depth must lie in 1...64, got \(depth)") }
        guard (1...1024).contains(hidden) else { throw ValidationError("--hidden must lie in 1...1024, got \(hidden)") }
    }
}
