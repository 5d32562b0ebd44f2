import ArgumentParser
import MirageTensor
import Foundation

extension PixelCNN.Output: ExpressibleByArgument {}

/// `mirage train pixelcnn`: PixelCNN and Gated PixelCNN.
public enum PixelCNNKind: ModelKind {
    public static let name = "pixelcnn"
    public static let summary = "PixelCNN and Gated PixelCNN: masked convolutions, exact likelihood, pixel-by-pixel sampling"
    public static let discussion = """
        An autoregressive model of gray images: each pixel's distribution given the pixels above \
        it and to its left, all computed in one pass of a masked network. The original PixelCNN \
        (a 7×7 type-A masked convolution, --layers residual blocks with 3×3 type-B masked \
        convolutions) has a blind spot; --gated uses Gated PixelCNN's vertical and horizontal \
        stacks with tanh·sigmoid gates instead, which have none. --output bernoulli models \
        binarised pixels (dynamically binarised in training), categorical the 256 levels of 8-bit \
        pixels. --conditional adds a learned bias per class to every layer, for \
        mirage sample --class K. Trained by exact maximum likelihood (Adam, gradients clipped); \
        logs nll (nats per image) and bits_per_dim. Sheets: samples (one class per row when \
        conditional) and completions of the lower half of test digits.

        Examples:
          mirage train pixelcnn --steps 3000 --out runs/pixelcnn
          mirage train pixelcnn --gated --conditional --out runs/gated
          mirage eval nll runs/pixelcnn
          mirage sample runs/gated --class 3 --count 64 --out threes.npy --grid threes.png
        """

    public typealias SamplingOptions = ClassOption

    public struct Options: ParsableArguments {
        @Flag(help: "Gated PixelCNN: vertical and horizontal stacks, gated units, no blind spot.")
        public var gated = false

        @Flag(help: "Class-conditional: a learned bias per class in every layer.")
        public var conditional = false

        @Option(help: "Pixel distribution: bernoulli (binarised images) or categorical (256 levels).")
        public var output: PixelCNN.Output = .bernoulli

        @Option(help: "Channels h (the original's residual stream has 2h).")
        public var filters: Int = 32

        @Option(help: "Layers after the first 7×7 one: residual blocks, or gated layers.")
        public var layers: Int = 6

        @Option(help: "Learning rate of Adam.")
        public var lr: Float = 1e-3

        public init() {}

        public func validate() throws {
            guard (1...1024).contains(filters) else { throw ValidationError("--filters must lie in 1...1024, got \(filters)") }
            guard (0...64).contains(layers) else { throw ValidationError("--layers must lie in 0...64, got \(layers)") }
            guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
        }
    }

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> PixelCNN.Config {
        var c = PixelCNN.Config()
        c.imageShape = data.sampleShape
        c.gated = o.gated
        c.output = o.output
        c.filters = o.filters
        c.layers = o.layers
        c.learningRate = o.lr
        c.classes = try data.classes(conditional: o.conditional, kind: name)
        c.seed = seed
        return c
    }

    /// Samples of `--class` (every class in turn without one), one pass of the network per
    /// pixel, reporting each pass.
    public static func sample(_ model: PixelCNN, _ request: SampleRequest, options: ClassOption) throws -> Tensor {
        model.sample(count: request.count, class: try options.checked(for: model), generator: request.generator, progress: request.progress)
    }

    public static func make(_ config: PixelCNN.Config) throws -> PixelCNN {
        guard config.imageShape.count == 3, config.imageShape[0] == 1 else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "images of shape \(config.imageShape); PixelCNN here models gray images [1, H, W]")
        }
        try validateConfiguration(kind: name, imageShape: config.imageShape, sizes: [("filters", config.filters)],
                                  learningRate: config.learningRate)
        guard (0...64).contains(config.layers), (0...100_000).contains(config.classes), config.gradientClip > 0 else {
            throw ModelConfigurationError.unsuitable(kind: name, reason: "layers \(config.layers), classes \(config.classes) or gradient clip \(config.gradientClip) out of range")
        }
        return PixelCNN(config)
    }
}
