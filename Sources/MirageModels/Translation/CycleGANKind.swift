import ArgumentParser
import Foundation

/// `mirage train cyclegan`: unpaired image-to-image translation.
public enum CycleGANKind: ModelKind {
    public static let name = "cyclegan"
    public static let summary = "CycleGAN: unpaired translation, two generators, cycle-consistency loss"
    public static let dataShape = DataShape.unpairedDomains
    public static let discussion = """
        Trains on two domains shuffled apart, so nothing pairs them: --domain-a and --domain-b \
        (each a dataset name or a folder of PNGs; mnist-colored as a domain is its coloured \
        digits), a paired dataset's two halves (--dataset mnist-colored), or a folder with \
        trainA/ and trainB/ (and testA/, testB/) as the CycleGAN datasets ship. The learning \
        rate is held for the first half of the run and decays linearly to zero over the second. \
        Sheets: A | A→B | A→B→A and B | B→A | B→A→B each epoch, shown in the run's index.html.

        Examples:
          mirage train cyclegan --domain-a mnist --domain-b mnist-colored --steps 2000 --out runs/cyclegan
          mirage train cyclegan --dataset Data/horse2zebra --batch-size 1 --epochs 200 --out runs/horse2zebra
          mirage translate runs/cyclegan colored.npy --direction b-to-a --out gray.npy
        """

    public struct Options: ParsableArguments {
        @Option(help: ArgumentHelp("The generators: unet or resnet (default: unet below 64 pixels, else resnet).", valueName: "unet|resnet"))
        public var generator: CycleGAN.Generator?

        @Option(help: "Residual blocks of a ResNet generator (default: 9 from 256 pixels up, else 6).")
        public var residualBlocks: Int?

        @Option(help: "λ, the weight of each direction's cycle-consistency loss.")
        public var cycleWeight: Float = 10

        @Option(help: "The weight of the B → A → B cycle loss alone (the reference code's lambda_B; default: --cycle-weight).")
        public var cycleWeightB: Float?

        @Option(help: "The identity loss's weight relative to λ (applies when both domains have one channel count).")
        public var identityWeight: Float = 0.5

        @Option(help: "Generated images kept in each discriminator's history pool (0: none).")
        public var poolSize: Int = 50

        @OptionGroup public var network: TranslationOptions

        public init() {}

        public func validate() throws {
            guard cycleWeight >= 0, cycleWeight.isFinite, identityWeight >= 0, identityWeight.isFinite else {
                throw ValidationError("--cycle-weight and --identity-weight must be at least 0, got \(cycleWeight) and \(identityWeight)")
            }
            if let cycleWeightB, !(cycleWeightB >= 0 && cycleWeightB.isFinite) {
                throw ValidationError("--cycle-weight-b must be at least 0, got \(cycleWeightB)")
            }
            guard (0...10_000).contains(poolSize) else { throw ValidationError("--pool-size must lie in 0...10000, got \(poolSize)") }
            if let residualBlocks, !(1...64).contains(residualBlocks) {
                throw ValidationError("--residual-blocks must lie in 1...64, got \(residualBlocks)")
            }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> CycleGAN.Config {
        var c = CycleGAN.Config()
        c.imageShape = data.sampleShape
        c.channelsB = data.channelsB ?? data.sampleShape.first ?? 1
        let side = data.sampleShape.count == 3 ? min(data.sampleShape[1], data.sampleShape[2]) : 0
        c.generator = o.generator ?? (side >= 64 ? .resnet : .unet)
        c.residualBlocks = o.residualBlocks ?? (side >= 256 ? 9 : 6)
        c.network = o.network.configuration(data: data)
        c.cycleWeight = o.cycleWeight
        c.cycleWeightB = o.cycleWeightB
        c.identityWeight = o.identityWeight
        c.poolSize = o.poolSize
        c.seed = seed
        return c
    }

    public static func make(_ config: CycleGAN.Config) throws -> CycleGAN {
        try validateTranslation(kind: name, imageShape: config.imageShape, channelsB: config.channelsB, network: config.network,
                                resnet: config.generator == .resnet)
        guard config.cycleWeight >= 0, config.cycleWeight.isFinite, config.resolvedCycleWeightB >= 0, config.resolvedCycleWeightB.isFinite,
              config.identityWeight >= 0, config.identityWeight.isFinite,
              (0...10_000).contains(config.poolSize), (1...64).contains(config.residualBlocks) else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "cycle weights \(config.cycleWeight), \(config.resolvedCycleWeightB), identity weight \(config.identityWeight), pool size \(config.poolSize) or residual blocks \(config.residualBlocks) out of range")
        }
        return CycleGAN(config)
    }
}

extension CycleGAN.Generator: ExpressibleByArgument {}
