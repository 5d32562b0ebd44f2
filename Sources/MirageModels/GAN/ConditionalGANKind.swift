import ArgumentParser
import Foundation

/// `mirage train cgan`: the conditional DCGAN.
public enum ConditionalGANKind: ModelKind {
    public static let name = "cgan"
    public static let summary = "conditional DCGAN: the class in G (one-hot) and D (label maps)"
    public static let discussion = """
        The DCGAN networks with the class as input: a one-hot vector beside the noise for the \
        generator, one label map per class stacked on the image for the discriminator. Trains \
        on labelled 28×28 data. Sheets: one class per row. Draw one class with mirage sample \
        --class K. --pack M makes it a conditional PacGAN: the discriminator judges M labelled \
        images at once, all real or all generated.

        Examples:
          mirage train cgan --steps 3000 --out runs/cgan
          mirage sample runs/cgan --class 7 --count 100 --out sevens.npy
          mirage train cgan --pack 2 --steps 3000 --out runs/pac-cgan2
        """

    public typealias Options = PackedGANOptions
    public typealias SamplingOptions = ClassOption

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> ConditionalGAN.Config {
        var c = ConditionalGAN.Config()
        c.imageShape = data.sampleShape
        c.classes = data.classCount
        c.noise = o.gan.latent ?? c.noise
        c.learningRate = o.gan.lr ?? c.learningRate
        c.beta1 = o.gan.beta1 ?? c.beta1
        c.beta2 = o.gan.beta2
        c.pack = o.pack
        c.seed = seed
        return c
    }

    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        upgradeAddingPack(&configuration, from: version)
    }

    public static func make(_ config: ConditionalGAN.Config) throws -> ConditionalGAN {
        try validateConfiguration(kind: name, imageShape: config.imageShape, sizes: [("noise size", config.noise)],
                                  learningRate: config.learningRate)
        try requirePack(config.pack, kind: name)
        guard (2...1000).contains(config.classes) else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "\(config.classes) classes; a conditional model needs 2 to 1000")
        }
        try requireAdamBetas(config.beta1, config.beta2, kind: name)
        try requireDCGANImageSize(config.imageShape, kind: name)
        return ConditionalGAN(config)
    }
}
