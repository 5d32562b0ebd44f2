import Foundation

/// A learning rate as a function of the step number (0-based). Set it before each step:
///
/// ```swift
/// let schedule = CosineAnnealing(baseLearningRate: 1e-3, totalSteps: 10_000)
/// optimizer.learningRate = schedule(step)
/// ```
public protocol LearningRateSchedule: Sendable {
    func callAsFunction(_ step: Int) -> Float
}

/// Multiplies the rate by `gamma` every `stepSize` steps, like `torch.optim.lr_scheduler.StepLR`.
public struct StepDecay: LearningRateSchedule {
    public var baseLearningRate: Float, stepSize: Int, gamma: Float
    public init(baseLearningRate: Float, stepSize: Int, gamma: Float = 0.1) {
        precondition(stepSize > 0, "StepDecay: stepSize must be positive")
        (self.baseLearningRate, self.stepSize, self.gamma) = (baseLearningRate, stepSize, gamma)
    }
    public func callAsFunction(_ step: Int) -> Float {
        baseLearningRate * Foundation.pow(gamma, Float(step / stepSize))
    }
}

/// Half a cosine from the base rate down to `minimum` over `totalSteps`, then `minimum`, like
/// `CosineAnnealingLR` (Loshchilov & Hutter, 2017).
public struct CosineAnnealing: LearningRateSchedule {
    public var baseLearningRate: Float, totalSteps: Int, minimum: Float
    public init(baseLearningRate: Float, totalSteps: Int, minimum: Float = 0) {
        precondition(totalSteps > 0, "CosineAnnealing: totalSteps must be positive")
        (self.baseLearningRate, self.totalSteps, self.minimum) = (baseLearningRate, totalSteps, minimum)
    }
    public func callAsFunction(_ step: Int) -> Float {
        let t = Float(min(step, totalSteps)) / Float(totalSteps)
        return minimum + (baseLearningRate - minimum) * (1 + Foundation.cos(Float.pi * t)) / 2
    }
}

/// Rises linearly from 0 to the rate of `after` over `warmupSteps`, then follows `after`.
public struct LinearWarmup<After: LearningRateSchedule>: LearningRateSchedule {
    public var warmupSteps: Int, after: After
    public init(warmupSteps: Int, then after: After) {
        precondition(warmupSteps >= 0, "LinearWarmup: warmupSteps must be non-negative")
        (self.warmupSteps, self.after) = (warmupSteps, after)
    }
    public func callAsFunction(_ step: Int) -> Float {
        step < warmupSteps ? after(warmupSteps) * Float(step + 1) / Float(warmupSteps) : after(step)
    }
}

/// A constant rate.
public struct ConstantRate: LearningRateSchedule {
    public var learningRate: Float
    public init(_ learningRate: Float) { self.learningRate = learningRate }
    public func callAsFunction(_ step: Int) -> Float { learningRate }
}

/// The base rate for the first `totalSteps − decaySteps` steps, then a straight line down to zero
/// at `totalSteps`: the "linear" policy of the pix2pix/CycleGAN reference code, which keeps the
/// rate for the first half of training and decays it over the second.
///
/// ```swift
/// let schedule = ConstantThenLinearDecay(baseLearningRate: 2e-4, totalSteps: 10_000, decaySteps: 5_000)
/// schedule(4_999)   // 2e-4
/// schedule(7_500)   // 1e-4
/// ```
public struct ConstantThenLinearDecay: LearningRateSchedule {
    public var baseLearningRate: Float, totalSteps: Int, decaySteps: Int
    public init(baseLearningRate: Float, totalSteps: Int, decaySteps: Int) {
        precondition(totalSteps > 0 && decaySteps > 0 && decaySteps <= totalSteps,
                     "ConstantThenLinearDecay: needs 0 < decaySteps (\(decaySteps)) ≤ totalSteps (\(totalSteps))")
        (self.baseLearningRate, self.totalSteps, self.decaySteps) = (baseLearningRate, totalSteps, decaySteps)
    }
    public func callAsFunction(_ step: Int) -> Float {
        baseLearningRate * min(1, max(0, Float(totalSteps - step) / Float(decaySteps)))
    }
}
