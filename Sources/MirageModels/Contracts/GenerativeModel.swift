import Foundation
import MirageNN
import MirageTensor

/// A named image sheet a model draws for the run folder: a grid of `[N, C, H, W]` images in [0, 1].
public struct Sheet {
    public var name: String
    public var images: Tensor
    public var columns: Int
    public init(name: String, images: Tensor, columns: Int) {
        self.name = name
        self.images = images
        self.columns = columns
    }
}

/// A model the shared ``Trainer`` can train: it owns its networks and optimizers, says what data
/// it wants, knows one training step, how to sample and which sheets show its progress.
/// Everything else (loaders, the loop, logging, checkpoints, resume) is the trainer's.
///
/// What only some models can do (drawing samples from noise, conditional sampling, a likelihood,
/// reconstruction, translation) are small protocols of their own: ``Sampling``,
/// ``ConditionalSampling``, ``LikelihoodModel``, ``ReconstructionModel``, ``TranslationModel``.
/// A model reaches `mirage train` through a ``ModelKind``.
public protocol GenerativeModel: AnyObject {
    /// The hyper-parameters, as JSON, enough to rebuild the model (see ``ModelKind``).
    var configuration: Data { get }
    /// The networks by name; checkpoints store their state under `<name>.<key>`.
    var networks: [(String, Module)] { get }
    /// The optimizers by name; checkpoints store their state under `optimizer.<name>.<key>`.
    var optimizers: [(String, Optimizer)] { get }
    /// Generators whose state a resumed run must restore (noise, corruption, dropout).
    var generators: [(String, RandomGenerator)] { get }
    /// What one training step consumes and how its batches are prepared.
    var data: DataRequirement { get }

    /// Any other state a resumed run must restore, by name: EMA weights, an image history pool, a
    /// schedule's position, counters (as tensors; a counter is a one-element tensor). Checkpoints
    /// store it under `state.<name>`. Empty by default.
    var state: [String: Tensor] { get }

    /// Restores what ``state`` returned when the checkpoint was written.
    ///
    /// - Throws: An error naming the entry that is missing or has the wrong shape.
    func restoreState(_ state: [String: Tensor]) throws

    /// One optimisation step on the batches ``data`` asked for (scaled and augmented as it says).
    /// Returns the losses and metrics to log.
    func trainStep(_ input: StepInput, context: StepContext) -> [String: Float]

    /// Sheets drawn at the end of each epoch. `fixed` holds the same test samples every epoch
    /// (up to 64, prepared as ``data`` says but never augmented), `noise` the same generator
    /// state, so sheets are comparable across epochs.
    func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet]

    /// The anomaly scores models of this type offer, the natural one first (`mirage eval anomaly
    /// --score`); a model's configuration may still rule one out (``AnomalyScore/available(for:)``).
    /// By default, from the capabilities: a likelihood gives ``AnomalyScore/nll`` and
    /// ``AnomalyScore/complexity``, a reconstruction ``AnomalyScore/reconstruction``, an
    /// ``AdversarialModel`` ``AnomalyScore/fanogan``.
    static var anomalyScores: [AnomalyScore] { get }
}

extension GenerativeModel {
    public static var anomalyScores: [AnomalyScore] {
        var scores: [AnomalyScore] = []
        if Self.self is any LikelihoodModel.Type { scores += [.nll, .complexity] }
        if Self.self is any ReconstructionModel.Type { scores.append(.reconstruction) }
        if Self.self is any AdversarialModel.Type { scores.append(.fanogan) }
        return scores
    }

    public var state: [String: Tensor] { [:] }
    public func restoreState(_ state: [String: Tensor]) throws {}

    /// Puts every network in training or evaluation mode.
    public func setTraining(_ on: Bool) {
        for (_, n) in networks { n.train(on) }
    }
}

/// Scales images from a model's input range back to [0, 1] for sheets and sample files.
public func toUnitRange(_ x: Tensor, from range: ClosedRange<Float>) -> Tensor {
    if range == 0...1 { return x }
    return ((x - range.lowerBound) / (range.upperBound - range.lowerBound)).clamped(min: 0, max: 1)
}

/// Points evenly spaced on the straight line from each row of `a` to the same row of `b`, both
/// ends included: `[P, …]` and `[P, …]` give `[P·steps, …]`, pair p's path in rows
/// `p·steps ..< (p + 1)·steps`. The interpolation sheets of the latent-variable models are
/// decoded from these.
public func linearInterpolation(from a: Tensor, to b: Tensor, steps: Int) -> Tensor {
    precondition(a.rank >= 1 && a.shape == b.shape && steps >= 2,
                 "linearInterpolation: needs two tensors of one shape [P, …] and at least 2 steps, got \(a.shape), \(b.shape), \(steps)")
    let rest = Array(a.shape.dropFirst())
    let t = (Tensor.arange(0, Float(steps)) / Float(steps - 1)).reshaped([1, steps] + rest.map { _ in 1 })
    return (a.unsqueezed(axis: 1) * (1 - t) + b.unsqueezed(axis: 1) * t).reshaped([a.shape[0] * steps] + rest)
}
