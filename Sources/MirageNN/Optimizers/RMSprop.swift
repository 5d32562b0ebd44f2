import MirageTensor

/// RMSprop (Hinton, 2012) with `torch.optim.RMSprop`'s update rule and defaults; the optimizer
/// of the original WGAN.
public final class RMSprop: Optimizer {
    public let alpha: Float
    public let eps: Float
    public let weightDecay: Float
    public let momentum: Float
    public let centered: Bool

    public init(_ parameters: [Tensor], learningRate: Float = 1e-2, alpha: Float = 0.99, eps: Float = 1e-8,
                weightDecay: Float = 0, momentum: Float = 0, centered: Bool = false) {
        self.alpha = alpha
        self.eps = eps
        self.weightDecay = weightDecay
        self.momentum = momentum
        self.centered = centered
        super.init(parameters, learningRate: learningRate)
    }

    override public func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor]) {
        _ = nextStep(&state)
        let sq = mutablePointer(buffer("square_avg", like: parameter, in: &state))
        let gAvg = centered ? mutablePointer(buffer("grad_avg", like: parameter, in: &state)) : nil
        let buf = momentum > 0 ? mutablePointer(buffer("momentum_buffer", like: parameter, in: &state)) : nil
        let p = mutablePointer(parameter), g = gradient.storage.data
        let (lr, a, wd, eps, mu) = (learningRate, alpha, weightDecay, eps, momentum)
        for i in 0..<parameter.count {
            let gi = g[i] + wd * p[i]
            sq[i] = a * sq[i] + (1 - a) * gi * gi
            var avg: Float
            if let gAvg {
                gAvg[i] = a * gAvg[i] + (1 - a) * gi
                avg = (sq[i] - gAvg[i] * gAvg[i]).squareRoot() + eps
            } else {
                avg = sq[i].squareRoot() + eps
            }
            if let buf {
                buf[i] = mu * buf[i] + gi / avg
                p[i] -= lr * buf[i]
            } else {
                p[i] -= lr * gi / avg
            }
        }
    }
}
