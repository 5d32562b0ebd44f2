import ArgumentParser
import Foundation

/// `mirage train infogan`.
public enum InfoGANKind: ModelKind {
    public static let name = "infogan"
    public static let summary = "InfoGAN: a 10-way categorical and 2 continuous codes, learned without labels"
    public static let discussion = """
        The DCGAN networks; the generator also takes a categorical code (--categories values) \
        and --continuous codes in [-1, 1], and the discriminator's Q head recovers them: the \
        mutual-information bound (λ = --information for the categorical code, a tenth of it for \
        the continuous ones) makes the codes meaningful with no labels used. Logs \
        info_categorical and info_continuous. Sheets: one categorical code per row, each \
        continuous code swept from -2 to 2 along the rows. mirage sample --class K fixes the \
        categorical code to K.

        Examples:
          mirage train infogan --steps 5000 --out runs/infogan
          mirage sample runs/infogan --class 3 --count 100 --out code3.npy
        """

    public typealias SamplingOptions = ClassOption

    public struct Options: ParsableArguments {
        @Option(help: "Learning rate of the three Adam optimizers (betas 0.5, 0.999).")
        public var lr: Float = 2e-4

        @Option(help: "Size of the incompressible noise.")
        public var latent: Int = 62

        @Option(help: "Values of the categorical code.")
        public var categories: Int = 10

        @Option(help: "Number of continuous codes.")
        public var continuous: Int = 2

        @Option(help: "λ, the weight of the information loss.")
        public var information: Float = 1

        public init() {}

        public func validate() throws {
            try validatePositive(lr: lr, latent: latent)
            guard (2...100).contains(categories) else { throw ValidationError("--categories must lie in 2...100, got \(categories)") }
            guard (1...16).contains(continuous) else { throw ValidationError("--continuous must lie in 1...16, got \(continuous)") }
            guard information >= 0, information.isFinite else { throw ValidationError("--information must be a number ≥ 0, got \(information)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> InfoGAN.Config {
        var c = InfoGAN.Config()
        c.imageShape = data.sampleShape
        c.noise = o.latent
        c.categories = o.categories
        c.continuous = o.continuous
        c.information = o.information
        c.learningRate = o.lr
        c.seed = seed
        return c
    }

    public static func make(_ config: InfoGAN.Config) throws -> InfoGAN {
        try validateConfiguration(kind: name, imageShape: config.imageShape, sizes: [("noise size", config.noise)],
                                  learningRate: config.learningRate)
        guard (2...100).contains(config.categories), (1...16).contains(config.continuous),
              config.information >= 0, config.information.isFinite else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "codes \(config.categories) categories, \(config.continuous) continuous, λ \(config.information) are out of range")
        }
        try requireDCGANImageSize(config.imageShape, kind: name)
        return InfoGAN(config)
    }
}
