import Foundation
import MirageData
import MirageNN
import MirageTensor

/// A benchmark a model kind offers to `mirage bench`: one training step (or one sampling call) of
/// the model, built with the shapes, losses, optimizers and batch size (64) of the PyTorch peer's
/// `scripts/peer/bench_peer.py`, which knows the same ``name``, so that the two are timed against
/// each other in the same run (shared/BENCHMARKS.md).
///
/// Kinds list theirs in ``ModelKind/benchmarks``; ``all`` gathers them in the registry's order.
///
/// ```swift
/// let dcgan = ModelBenchmark.named("dcgan")!
/// let step = try dcgan.makeStep(seed: 0)
/// for _ in 0..<dcgan.timedSteps(30) { _ = step() }
/// ```
public struct ModelBenchmark: Sendable {
    /// How many times a step is timed for a `--steps` setting, as the peer script does.
    public enum Repetitions: Sendable, Equatable {
        /// `--steps` times.
        case standard
        /// `--steps` times this factor: the quick models (3× the MLP GAN, 5× the VAE).
        case times(Int)
        /// `--steps`/5 times, at least 3: sampling calls and the 256-pixel translation steps,
        /// seconds each.
        case fewer
    }

    /// The benchmark's name on the command line, in reports and in the peer script.
    public let name: String
    /// What one step is, in a line.
    public let summary: String
    /// How often a step is timed.
    public let repetitions: Repetitions
    private let make: @Sendable (UInt64) throws -> () -> Float

    /// - Parameters:
    ///   - make: Builds the model from a seed and returns a closure that runs one step of it and
    ///     returns the step's main loss (for sampling, the mean pixel), so that tests can tell a
    ///     step that runs from one that computes garbage.
    public init(_ name: String, _ summary: String, repetitions: Repetitions = .standard,
                make: @escaping @Sendable (_ seed: UInt64) throws -> () -> Float) {
        self.name = name
        self.summary = summary
        self.repetitions = repetitions
        self.make = make
    }

    /// The batch size of every training step.
    public static let batchSize = 64

    /// Every kind's benchmarks, in the registry's order.
    public static var all: [ModelBenchmark] { ModelRegistry.kinds.flatMap { $0.benchmarks } }

    /// The benchmark called `name`, or `nil`.
    public static func named(_ name: String) -> ModelBenchmark? { all.first { $0.name == name } }

    /// Builds the model and returns a closure that runs one step of it.
    ///
    /// - Throws: What building the model throws (a configuration the kind refuses).
    public func makeStep(seed: UInt64) throws -> () -> Float { try make(seed) }

    /// Timed repetitions for a `--steps` setting.
    public func timedSteps(_ steps: Int) -> Int {
        switch repetitions {
        case .standard: return steps
        case .times(let k): return steps * k
        case .fewer: return Swift.max(3, steps / 5)
        }
    }

    /// The fixed batch every training benchmark steps on: 64 random images in [−1, 1], as in the
    /// peer (noise is drawn anew every step).
    public static func batch(_ g: RandomGenerator, shape: [Int] = [1, 28, 28]) -> Tensor {
        Tensor.rand([batchSize] + shape, low: -1, high: 1, generator: g)
    }

    /// The context of a benchmark step: outside a trainer, with a plain updater.
    public static var context: StepContext { StepContext(step: 0, epoch: 0, stepsPerEpoch: 1, totalSteps: 1) }

    /// A closure running `model`'s own training step on `input`, returning the logged value `key`.
    public static func trainingStep(_ model: some GenerativeModel, _ input: StepInput, loss key: String) -> () -> Float {
        let context = context
        return { model.trainStep(input, context: context)[key]! }
    }
}

extension ModelKind {
    /// No benchmarks unless the kind offers some.
    public static var benchmarks: [ModelBenchmark] { [] }
}
