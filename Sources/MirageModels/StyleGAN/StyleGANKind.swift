import ArgumentParser
import Foundation
import MirageData
import MirageTensor

/// `mirage train stylegan`.
public enum StyleGANKind: ModelKind {
    public static let name = "stylegan"
    public static let summary = "StyleGAN2: mapping network, modulated convolutions, noise inputs, style mixing, R1 and path length"
    public static let discussion = """
        StyleGAN2 (configuration E, no progressive growing), scaled for a CPU: z → --mapping-layers \
        fully connected layers (learning rate × 0.01) → w; a learned 4×4 constant, then two 3×3 \
        modulated, demodulated convolutions per resolution with per-pixel noise, skip-connected \
        toRGB outputs; a residual discriminator with the minibatch standard deviation; the \
        logistic loss, lazy R1 (γ = --r1, every 16 steps), lazy path-length regularisation \
        (every 4 steps), style mixing in --style-mixing of the batches, and a moving average of \
        the generator, which samples. Images train at the next side 4·2ᵏ (MNIST padded to 32) and \
        are cropped back. Logs loss_d, loss_g, d_real, d_fake, r1 and path_length. Sheets: \
        samples at ψ = 1 and 0.7, the style-mixing grid, noise variation.

        Examples:
          mirage train stylegan --steps 6000 --batch-size 32 --out runs/stylegan
          mirage sample runs/stylegan --truncation 0.7 --count 64 --out psi07.npy
          mirage sample runs/stylegan --seed 1 --mix-seed 2 --mix coarse --count 16 --out mixed.npy
          mirage sample runs/stylegan --count 16 --out s.npy --mixing-grid grid.png
          mirage eval mixing runs/stylegan
          mirage eval ppl runs/stylegan
        """

    public struct Options: ParsableArguments {
        @Option(help: "Learning rate of both Adam optimizers (betas 0, 0.99; corrected for lazy regularisation).")
        public var lr: Float = 0.0025
        @Option(help: "Size of z and w.")
        public var latent: Int = 128
        @Option(help: "Fully connected layers of the mapping network.")
        public var mappingLayers: Int = 8
        @Option(help: "Channels at 4×4 and 8×8, halving at each higher resolution.")
        public var channels: Int = 128
        @Option(help: "γ of the R1 penalty on real images (0: none).")
        public var r1: Float = 1
        @Option(help: "Weight of the path-length penalty (0: none).")
        public var pathLength: Float = 2
        @Option(help: "Share of batches whose images mix two latents at a random crossover.")
        public var styleMixing: Float = 0.9
        @Option(help: "Half-life of the generator's moving average, in images.")
        public var averageHalfLife: Int = 10_000

        public init() {}

        public func validate() throws {
            try validatePositive(lr: lr, latent: latent)
            guard (1...16).contains(mappingLayers) else { throw ValidationError("--mapping-layers must lie in 1...16, got \(mappingLayers)") }
            guard (16...1024).contains(channels) else { throw ValidationError("--channels must lie in 16...1024, got \(channels)") }
            guard r1 >= 0, r1.isFinite, pathLength >= 0, pathLength.isFinite else {
                throw ValidationError("--r1 and --path-length must be numbers ≥ 0, got \(r1) and \(pathLength)")
            }
            guard (0...1).contains(styleMixing) else { throw ValidationError("--style-mixing must lie in [0, 1], got \(styleMixing)") }
            guard averageHalfLife >= 1 else { throw ValidationError("--average-half-life must be at least 1 image, got \(averageHalfLife)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> StyleGAN.Config {
        var c = StyleGAN.Config()
        c.imageShape = data.sampleShape
        (c.latent, c.mappingLayers, c.channels) = (o.latent, o.mappingLayers, o.channels)
        (c.r1, c.pathLength, c.styleMixing, c.learningRate) = (o.r1, o.pathLength, o.styleMixing, o.lr)
        c.averageHalfLife = o.averageHalfLife
        c.seed = seed
        return c
    }

    public static func make(_ config: StyleGAN.Config) throws -> StyleGAN {
        if let reason = config.unsuitability { throw ModelConfigurationError.unsuitable(kind: name, reason: reason) }
        try validateConfiguration(kind: name, imageShape: config.imageShape,
                                  sizes: [("latent size", config.latent), ("channels", config.channels)], learningRate: config.learningRate)
        guard (1...16).contains(config.mappingLayers), (16...1024).contains(config.channels), config.r1 >= 0, config.pathLength >= 0,
              (0...1).contains(config.styleMixing), config.averageHalfLife >= 1 else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "mapping layers \(config.mappingLayers), channels \(config.channels), γ \(config.r1), path length \(config.pathLength), mixing \(config.styleMixing) or half-life \(config.averageHalfLife) out of range")
        }
        return StyleGAN(config)
    }

    /// StyleGAN's own sampling options.
    public struct SamplingOptions: ParsableArguments {
        @Option(help: ArgumentHelp("Truncation ψ in (0, 2]: w ← w̄ + ψ(w − w̄); below 1, typical but less varied images.", valueName: "ψ"))
        public var truncation: Float = 1

        @Option(help: ArgumentHelp("Mix each image with the image of the same number drawn with this seed: see --mix.", valueName: "T"))
        public var mixSeed: UInt64?

        @Option(help: ArgumentHelp("Which styles come from the --mix-seed latents: coarse (4×4 and 8×8: the digit's shape) or fine (16×16 and up: stroke).",
                                   valueName: "coarse|fine"))
        public var mix: String?

        @Option(help: ArgumentHelp("Noise inputs: random (the default) or zero.", valueName: "random|zero"))
        public var noise: String = "random"

        @Option(help: ArgumentHelp("Also write the style-mixing figure (sources along the top and side, mixes inside) as a PNG.", valueName: "grid.png"))
        public var mixingGrid: String?

        public init() {}

        public func validate() throws {
            guard truncation > 0, truncation <= 2 else { throw ValidationError("--truncation must lie in (0, 2], got \(truncation)") }
            guard NoiseInputMode(rawValue: noise) != nil else { throw ValidationError("--noise must be random or zero, got \(noise)") }
            if let mix, StyleRows(rawValue: mix) == nil { throw ValidationError("--mix must be coarse or fine, got \(mix)") }
            guard (mix == nil) == (mixSeed == nil) else { throw ValidationError("--mix and --mix-seed go together: give both") }
        }
    }

    public static func sample(_ model: StyleGAN, _ request: SampleRequest, options o: SamplingOptions) throws -> Tensor {
        let noise = NoiseInputMode(rawValue: o.noise) ?? .random
        if let path = o.mixingGrid, request.offset == 0 {
            let grid = model.mixingGrid(rows: 5, columns: 6, psi: o.truncation, generator: RandomGenerator(seed: 12345))
            _ = try ImageGrid.save(grid.images, to: path, nrow: grid.columns)
        }
        guard let mix = o.mix.flatMap(StyleRows.init(rawValue:)), let mixSeed = o.mixSeed else {
            return model.sample(count: request.count, psi: o.truncation, noise: noise, generator: request.generator)
        }
        guard model.hasFineStyles else {
            throw ValidationError("--mix: this run's images are \(model.config.side)×\(model.config.side), too small to have fine styles apart from the coarse ones")
        }
        // The image of number i mixes the i-th latent of --seed S with the i-th of --mix-seed T.
        let d = model.config.latent
        let source = Tensor.randn([request.count, d], generator: request.generator)
        let other = RandomGenerator(seed: mixSeed)
        if request.offset > 0 { _ = Tensor.randn([request.offset, d], generator: other) }
        return model.mixed(source: source, other: Tensor.randn([request.count, d], generator: other), rows: mix, psi: o.truncation,
                           noise: noise, generator: request.generator)
    }
}
