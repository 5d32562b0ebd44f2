import MirageTensor

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and L2
/// weight decay, with `torch.optim.SGD`'s update rule.
public final class SGD: Optimizer {
    public let momentum: Float
    public let dampening: Float
    public let weightDecay: Float
    public let nesterov: Bool

    public init(_ parameters: [Tensor], learningRate: Float, momentum: Float = 0, dampening: Float = 0,
                weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
        super.init(parameters, learningRate: learningRate)
    }

    override public func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor]) {
        let p = mutablePointer(parameter), g = gradient.storage.data
        let (lr, wd, mu, damp) = (learningRate, weightDecay, momentum, dampening)
        let first = state["momentum_buffer"] == nil
        if mu == 0 {
            for i in 0..<parameter.count { p[i] -= lr * (g[i] + wd * p[i]) }
            return
        }
        let buf = mutablePointer(buffer("momentum_buffer", like: parameter, in: &state))
        for i in 0..<parameter.count {
            let d = g[i] + wd * p[i]
            buf[i] = first ? d : mu * buf[i] + (1 - damp) * d
            p[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i])
        }
    }
}
