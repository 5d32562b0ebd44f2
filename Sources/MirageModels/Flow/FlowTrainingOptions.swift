import ArgumentParser
import Foundation

/// The options both flow kinds (`glow`, `realnvp`) take: their optimiser and default sampler.
public struct FlowTrainingOptions: ParsableArguments {
    @Option(help: "Learning rate of Adam.")
    public var lr: Float = 1e-3

    @Option(help: "Steps of linear learning-rate warm-up.")
    public var warmupSteps: Int = 200

    @Option(help: "Temperature of the run's default sampler.")
    public var temperature: Float = 1

    @Option(help: "Decay of the moving average of the weights that samples and likelihoods use (0: the trained weights).")
    public var emaDecay: Float = 0.999

    public init() {}

    public func validate() throws {
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
        guard warmupSteps >= 0 else { throw ValidationError("--warmup-steps must be at least 0, got \(warmupSteps)") }
        guard temperature > 0, temperature.isFinite else { throw ValidationError("--temperature must be positive, got \(temperature)") }
        guard (0..<1).contains(emaDecay) else { throw ValidationError("--ema-decay must lie in [0, 1), got \(emaDecay)") }
    }

    /// Sets the learning rate, warm-up, temperature and average's decay of `config`.
    func apply(to config: inout some FlowConfiguration) {
        config.learningRate = lr
        config.warmupSteps = warmupSteps
        config.temperature = temperature
        config.emaDecay = emaDecay
    }

    /// Checks what the options set in a flow's configuration, which a run folder may carry
    /// from anywhere, and that the image halves `squeezes` times (`option` names that setting).
    static func validate(kind: String, _ config: some FlowConfiguration, squeezes: Int, option: String, sizes: [(String, Int)]) throws {
        try validateConfiguration(kind: kind, imageShape: config.imageShape, sizes: sizes, learningRate: config.learningRate)
        let side = 1 << max(0, min(squeezes, 12))
        guard (1...6).contains(squeezes), config.imageShape[1] % side == 0, config.imageShape[2] % side == 0 else {
            throw ModelConfigurationError.unsuitable(
                kind: kind, reason: "\(squeezes) \(option) halve the image \(squeezes) times, so its sides must divide by \(side), and the data are "
                    + config.imageShape.map(String.init).joined(separator: "×") + " (try --\(option) 1, or data whose sides are even)")
        }
        guard config.warmupSteps >= 0, config.temperature > 0, config.temperature.isFinite, (0..<1).contains(config.emaDecay) else {
            throw ModelConfigurationError.unsuitable(
                kind: kind, reason: "warm-up \(config.warmupSteps), temperature \(config.temperature) or EMA decay \(config.emaDecay) out of range")
        }
    }
}
