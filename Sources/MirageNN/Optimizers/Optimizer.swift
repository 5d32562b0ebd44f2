import MirageTensor

/// Base class of the optimizers: owns the parameters, their per-parameter state, `zeroGrad()`
/// and `step()`. Subclasses write only the update of one parameter (``update(_:gradient:state:)``).
///
/// ```swift
/// let opt = Adam(model.trainableParameters(), learningRate: 2e-4, betas: (0.5, 0.999))
/// let loss = mseLoss(model(x), y)
/// loss.backward()
/// opt.step()
/// opt.zeroGrad()
/// ```
open class Optimizer {
    /// The parameters updated by ``step()``, in order.
    public let parameters: [Tensor]
    /// The step size; schedules set it before each step.
    public var learningRate: Float
    /// Steps taken so far.
    public private(set) var stepCount = 0
    /// Per-parameter state (moments, momentum buffers), in parameter order.
    public internal(set) var state: [[String: Tensor]]

    public init(_ parameters: [Tensor], learningRate: Float) {
        precondition(parameters.allSatisfy(\.requiresGrad), "Optimizer: every parameter must require gradients")
        precondition(learningRate >= 0, "Optimizer: learning rate must be non-negative, got \(learningRate)")
        self.parameters = parameters
        self.learningRate = learningRate
        self.state = parameters.map { _ in [:] }
    }

    /// Clears every parameter's gradient.
    public func zeroGrad() {
        for p in parameters { p.grad = nil }
    }

    /// Updates every parameter that has a gradient, in place, recording nothing.
    public func step() {
        stepCount += 1
        // One row of `mirage bench --profile`: the updates are in-place loops, not ops.
        OpProfile.section("\(type(of: self)) step") {
            withNoGrad {
                for (i, p) in parameters.enumerated() {
                    guard let g = p.grad else { continue }
                    precondition(g.shape == p.shape, "\(type(of: self)).step: gradient shape \(g.shape) differs from parameter shape \(p.shape)")
                    update(p, gradient: g, state: &state[i])
                }
            }
        }
    }

    /// Updates one parameter in place from its gradient. `state` starts empty and persists
    /// across steps (and checkpoints).
    open func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor]) {
        fatalError("\(type(of: self)) must override update(_:gradient:state:)")
    }

    /// A state tensor shaped like `parameter`, created with zeros on first use.
    func buffer(_ name: String, like parameter: Tensor, in state: inout [String: Tensor]) -> Tensor {
        if let t = state[name] { return t }
        let t = Tensor.zeros(parameter.shape)
        state[name] = t
        return t
    }

    /// The per-parameter step counter kept in `state["step"]`, incremented.
    func nextStep(_ state: inout [String: Tensor]) -> Int {
        let t = (state["step"]?.item ?? 0) + 1
        state["step"] = Tensor(t)
        return Int(t)
    }

    /// The optimizer's state as tensors keyed `<parameter index>.<name>`, plus `lr` and `step_count`.
    public func stateDict() -> [String: Tensor] {
        var out: [String: Tensor] = ["lr": Tensor(learningRate), "step_count": Tensor(Float(stepCount))]
        for (i, s) in state.enumerated() {
            for (k, v) in s { out["\(i).\(k)"] = v.copy() }
        }
        return out
    }

    /// Restores state written by ``stateDict()`` for the same parameters.
    ///
    /// - Throws: ``StateDictError`` when a parameter index is out of range or a shape differs,
    ///   ``OptimizerStateError`` for a count or learning rate that is not a finite, non-negative
    ///   number, or moments holding NaN.
    public func loadStateDict(_ dict: [String: Tensor]) throws {
        var error = StateDictError(missing: [], unexpected: [], mismatched: [])
        var restored = parameters.map { _ in [String: Tensor]() }
        for (key, value) in dict where key != "lr" && key != "step_count" {
            guard let dot = key.firstIndex(of: "."), let i = Int(key[..<dot]), i >= 0, i < parameters.count else {
                error.unexpected.append(key)
                continue
            }
            let name = String(key[key.index(after: dot)...])
            if name != "step" && value.shape != parameters[i].shape {
                error.mismatched.append((key, parameters[i].shape, value.shape))
            }
            restored[i][name] = value.copy()
        }
        if dict["lr"] == nil { error.missing.append("lr") }
        if dict["step_count"] == nil { error.missing.append("step_count") }
        guard error.missing.isEmpty && error.unexpected.isEmpty && error.mismatched.isEmpty else { throw error }
        // Scalars from a file: a NaN or fractional count would trap on conversion or poison every
        // later update, so they are checked like the shapes.
        func scalar(_ key: String, _ value: Tensor) throws -> Float {
            guard value.count == 1, let x = value.scalars.first, x.isFinite, x >= 0 else {
                throw OptimizerStateError(key: key, problem: "must be one finite, non-negative number, got \(value.count) values \(value.scalars.prefix(4))")
            }
            return x
        }
        let lr = try scalar("lr", dict["lr"]!), steps = try scalar("step_count", dict["step_count"]!)
        guard steps == steps.rounded(), steps < 1e15 else {
            throw OptimizerStateError(key: "step_count", problem: "must be a whole number of steps, got \(steps)")
        }
        for (i, entries) in restored.enumerated() {
            if let step = entries["step"] { _ = try scalar("\(i).step", step) }
            for (name, value) in entries where !value.scalars.allSatisfy(\.isFinite) {
                throw OptimizerStateError(key: "\(i).\(name)", problem: "holds NaN or infinite values")
            }
        }
        state = restored
        learningRate = lr
        stepCount = Int(steps)
    }
}

/// An optimizer state entry that cannot be right, whatever the shapes say.
public struct OptimizerStateError: Error, CustomStringConvertible {
    /// The state-dict key.
    public var key: String
    /// What is wrong with it.
    public var problem: String

    public var description: String { "optimizer state \(key) \(problem)" }
}

/// Raw buffers of a parameter, its gradient and state tensors, for update loops.
@inline(__always)
func mutablePointer(_ t: Tensor) -> UnsafeMutablePointer<Float> { t.storage.data }
