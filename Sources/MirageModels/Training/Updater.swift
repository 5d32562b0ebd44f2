import MirageNN
import MirageTensor

/// The one place where a loss becomes an update of the parameters, for every model and every
/// optimizer: gradients cleared, the loss back-propagated, the ``gradientHook`` (where gradients
/// are averaged across processes), clipping, the optimizer's step, gradients cleared again.
///
/// The ``Trainer`` owns one and hands it to each step in ``StepContext/updater``; a model's step
/// computes its losses and passes each to ``minimize(_:with:clippingNorm:)`` with the optimizer
/// it trains, so that anything that must happen to every gradient between the backward pass and
/// the update happens here, in one order, for all of them.
///
/// ```swift
/// public func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
///     let lossD = discriminatorLoss(input.images)
///     context.updater.minimize(lossD, with: optimizerD)
///     let norm = context.updater.minimize(lossG, with: optimizerG, clippingNorm: 1)
///     …
/// }
/// ```
public final class Updater: @unchecked Sendable {
    /// Called with an optimizer's parameters after the backward pass and before clipping and the
    /// step; it may replace their gradients (`parameter.grad = …`). `nil`: gradients are used as
    /// the backward pass left them. Set before training starts.
    public var gradientHook: ((_ parameters: [Tensor]) -> Void)?

    public init(gradientHook: ((_ parameters: [Tensor]) -> Void)? = nil) {
        self.gradientHook = gradientHook
    }

    /// Back-propagates `loss` and takes one step of `optimizer` on the gradients of its parameters.
    ///
    /// Gradients are cleared before the backward pass, so they hold this loss's alone, and after
    /// the step, so that no later backward pass can add to them.
    ///
    /// - Parameters:
    ///   - loss: A scalar loss whose graph reaches (some of) `optimizer`'s parameters.
    ///   - optimizer: The optimizer to step; only its parameters are hooked, clipped and updated.
    ///   - clippingNorm: Scales the gradients so that their joint L2 norm is at most this.
    /// - Returns: The gradients' joint L2 norm before clipping, when `clippingNorm` is given.
    @discardableResult
    public func minimize(_ loss: Tensor, with optimizer: Optimizer, clippingNorm: Float? = nil) -> Float? {
        optimizer.zeroGrad()
        loss.backward()
        gradientHook?(optimizer.parameters)
        let norm = clippingNorm.map { clipGradNorm(optimizer.parameters, maxNorm: $0) }
        optimizer.step()
        optimizer.zeroGrad()
        return norm
    }

    /// Minimises the loss `judges` score without being trained by it (a generator's against its
    /// discriminators): they are frozen, so that no gradient is even computed for them, while
    /// `loss` is built and back-propagated, and thawed afterwards.
    ///
    /// - Returns: The loss.
    @discardableResult
    public func minimize(with optimizer: Optimizer, judgedBy judges: [Module], _ loss: () -> Tensor) -> Tensor {
        for judge in judges { judge.freeze() }
        defer { for judge in judges { judge.freeze(false) } }
        let value = loss()
        minimize(value, with: optimizer)
        return value
    }
}
