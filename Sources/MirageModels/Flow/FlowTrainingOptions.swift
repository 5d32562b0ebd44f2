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

    public init() {}

    public func validate() throws {
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
        guard warmupSteps >= 0 else { throw ValidationError("--warmup-steps must be at least 0, got \(warmupSteps)") }
        guard temperature > 0, temperature.isFinite else { throw ValidationError("--temperature must be positive, got \(temperature)") }
    }

    /// Checks what the options set in a flow's configuration, which a run folder may carry
    /// from anywhere, and that the image halves `squeezes` times.
    static func validate(kind: String, imageShape: [Int], learningRate: Float, warmupSteps: Int, temperature: Float,
                         squeezes: Int, option: String, sizes: [(String, Int)]) throws {
        try validateConfiguration(kind: kind, imageShape: imageShape, sizes: sizes, learningRate: learningRate)
        let side = 1 << max(0, min(squeezes, 12))
        guard (1...6).contains(squeezes), imageShape[1] % side == 0, imageShape[2] % side == 0 else {
            throw ModelConfigurationError.unsuitable(
                kind: kind, reason: "\(squeezes) \(option) halve the image \(squeezes) times, so its sides must divide by \(side), and the data are "
                    + imageShape.map(String.init).joined(separator: "×") + " (try --\(option) 1, or data whose sides are even)")
        }
        guard warmupSteps >= 0, temperature > 0, temperature.isFinite else {
            throw ModelConfigurationError.unsuitable(kind: kind, reason: "warm-up \(warmupSteps) or temperature \(temperature) out of range")
        }
    }
}
