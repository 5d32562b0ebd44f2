import ArgumentParser
import Foundation

/// `mirage train pix2pix`: paired image-to-image translation.
public enum Pix2PixKind: ModelKind {
    public static let name = "pix2pix"
    public static let summary = "pix2pix: paired translation, U-Net generator + PatchGAN, GAN + 100·L1 loss"
    public static let dataShape = DataShape.pairs
    public static let discussion = """
        Trains on aligned pairs: a paired MNIST domain (mnist-edges: edge maps → digits; \
        mnist-inverted, mnist-thick, mnist-colored), or a folder of A|B PNGs side by side as the \
        pix2pix datasets ship (with train/ and test/ or val/ inside, or the PNGs themselves). \
        PNG folders are jittered (pad-and-crop) and flipped. Sheets: input | output | target for \
        16 test pairs each epoch, shown in the run's index.html. Translate new images with \
        mirage translate.

        Examples:
          mirage train pix2pix --dataset mnist-edges --steps 2000 --out runs/pix2pix
          mirage train pix2pix --dataset mnist-edges --direction b-to-a --out runs/digits2edges
          mirage train pix2pix --dataset Data/facades --batch-size 1 --epochs 200 --out runs/facades
          mirage translate runs/pix2pix edges.npy --out digits.npy --grid digits.png
        """

    public struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("Translate domain A into B (a-to-b) or B into A (b-to-a).", valueName: "a-to-b|b-to-a"))
        public var direction: TranslationDirection = .aToB

        @Option(help: "λ, the weight of the L1 loss beside the GAN loss.")
        public var l1Weight: Float = 100

        @OptionGroup public var network: TranslationOptions

        public init() {}

        public func validate() throws {
            guard l1Weight >= 0, l1Weight.isFinite else { throw ValidationError("--l1-weight must be at least 0, got \(l1Weight)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> Pix2Pix.Config {
        var c = Pix2Pix.Config()
        c.imageShape = data.sampleShape
        c.channelsB = data.channelsB ?? data.sampleShape.first ?? 1
        c.direction = o.direction
        c.network = o.network.configuration(data: data)
        c.l1Weight = o.l1Weight
        c.seed = seed
        return c
    }

    public static func make(_ config: Pix2Pix.Config) throws -> Pix2Pix {
        try validateTranslation(kind: name, imageShape: config.imageShape, channelsB: config.channelsB, network: config.network)
        guard config.l1Weight >= 0, config.l1Weight.isFinite else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "L1 weight \(config.l1Weight) is not a number of at least 0")
        }
        return Pix2Pix(config)
    }
}

extension TranslationDirection: ExpressibleByArgument {}
