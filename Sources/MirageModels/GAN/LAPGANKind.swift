import ArgumentParser
import Foundation

/// `mirage train lapgan`: the Laplacian-pyramid GAN.
public enum LAPGANKind: ModelKind {
    public static let name = "lapgan"
    public static let summary = "LAPGAN: a GAN per level of a Laplacian pyramid (28 → 14 → 7)"
    public static let discussion = """
        An unconditional GAN draws the coarsest image (7×7 for 28×28 data); at each finer level \
        a conditional GAN draws the band-pass residual given the upsampled coarser image. Every \
        level trains on the pyramid of the real batch, with the non-saturating loss and Adam 2e-4 \
        (0.5, 0.999); one step updates every level once. Sheets: samples, interpolations, and \
        each sample's levels coarse to fine. Trains on square images whose side halves \
        --levels − 1 times to at least 4 pixels.

        Examples:
          mirage train lapgan --steps 3000 --out runs/lapgan
          mirage sample runs/lapgan --count 10000 --out lapgan.npy && mirage eval samples lapgan.npy
        """

    public struct Options: ParsableArguments {
        @OptionGroup public var gan: GANOptions

        @Option(help: "Pyramid levels, the image's own size included (3: 28 → 14 → 7).")
        public var levels: Int = 3

        public init() {}

        public func validate() throws {
            guard (2...6).contains(levels) else { throw ValidationError("--levels must lie in 2...6, got \(levels)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> LAPGAN.Config {
        var c = LAPGAN.Config()
        c.imageShape = data.sampleShape
        c.levels = o.levels
        c.noise = o.gan.latent ?? c.noise
        c.learningRate = o.gan.lr ?? c.learningRate
        c.beta1 = o.gan.beta1 ?? c.beta1
        c.beta2 = o.gan.beta2
        c.seed = seed
        return c
    }

    public static func make(_ config: LAPGAN.Config) throws -> LAPGAN {
        try validateConfiguration(kind: name, imageShape: config.imageShape,
                                  sizes: [("noise size", config.noise), ("coarse width", config.coarseWidth), ("band width", config.bandWidth)],
                                  learningRate: config.learningRate)
        try requireAdamBetas(config.beta1, config.beta2, kind: name)
        guard (2...6).contains(config.levels) else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "\(config.levels) pyramid levels; LAPGAN takes 2 to 6")
        }
        let side = config.imageShape[1], factor = 1 << (config.levels - 1)
        guard config.imageShape[2] == side, side % factor == 0, side / factor >= 4 else {
            throw ModelConfigurationError.unsuitable(
                kind: name, reason: "\(config.levels) pyramid levels need square images whose side halves \(config.levels - 1) times "
                    + "to at least 4 pixels, and the data are \(config.imageShape.map(String.init).joined(separator: "×"))")
        }
        return LAPGAN(config)
    }
}
