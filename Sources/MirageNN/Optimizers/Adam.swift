import Foundation
import MirageTensor

/// Adam (Kingma & Ba, 2015) with bias correction and optional L2 weight decay, with
/// `torch.optim.Adam`'s update rule and defaults.
///
/// ```swift
/// let opt = Adam(generator.trainableParameters(), learningRate: 2e-4, betas: (0.5, 0.999)) // DCGAN
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1412.6980>, ``AdamW``
public class Adam: Optimizer {
    public let betas: (Float, Float)
    public let eps: Float
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW) rather than added to it (L2).
    let decoupled: Bool

    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0) {
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = false
        super.init(parameters, learningRate: learningRate)
    }

    init(_ parameters: [Tensor], learningRate: Float, betas: (Float, Float), eps: Float, weightDecay: Float,
         decoupled: Bool) {
        self.betas = betas
        self.eps = eps
        self.weightDecay = weightDecay
        self.decoupled = decoupled
        super.init(parameters, learningRate: learningRate)
    }

    override public func update(_ parameter: Tensor, gradient: Tensor, state: inout [String: Tensor]) {
        let t = nextStep(&state)
        let m = mutablePointer(buffer("exp_avg", like: parameter, in: &state))
        let v = mutablePointer(buffer("exp_avg_sq", like: parameter, in: &state))
        let p = mutablePointer(parameter), g = gradient.storage.data
        let (b1, b2) = betas
        let correction1 = 1 - Foundation.pow(b1, Float(t))
        let correction2Root = (1 - Foundation.pow(b2, Float(t))).squareRoot()
        let stepSize = learningRate / correction1
        let (lr, wd, eps) = (learningRate, weightDecay, eps)
        let count = parameter.count
        let decay: Float = decoupled ? 1 - lr * wd : 1, l2: Float = decoupled ? 0 : wd
        // Written on SIMD vectors: the scalar loop did not vectorise (the square root's NaN check
        // kept it scalar) and was half of a VAE step.
        typealias V = SIMD8<Float>
        let (vb1, vb2, vdecay, vl2) = (V(repeating: b1), V(repeating: b2), V(repeating: decay), V(repeating: l2))
        let (vc1, vc2) = (V(repeating: 1 - b1), V(repeating: 1 - b2))
        let (vstep, vroot, veps) = (V(repeating: stepSize), V(repeating: correction2Root), V(repeating: eps))
        // Two threads: an Adam step streams seven arrays the size of the parameters, more than one
        // core's memory bandwidth.
        parallelChunks(count, grain: 1 << 15) { range in
            var i = range.lowerBound
            while i + V.scalarCount <= range.upperBound {
                let pi = UnsafeRawPointer(p + i).loadUnaligned(as: V.self) * vdecay
                let gi = UnsafeRawPointer(g + i).loadUnaligned(as: V.self) + vl2 * pi
                let mi = vb1 * UnsafeRawPointer(m + i).loadUnaligned(as: V.self) + vc1 * gi
                let vi = vb2 * UnsafeRawPointer(v + i).loadUnaligned(as: V.self) + vc2 * gi * gi
                UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
                UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
                let pNew = pi - vstep * mi / (vi.squareRoot() / vroot + veps)
                UnsafeMutableRawPointer(p + i).storeBytes(of: pNew, as: V.self)
                i += V.scalarCount
            }
            while i < range.upperBound {
                let pi = p[i] * decay
                let gi = g[i] + l2 * pi
                let mi = b1 * m[i] + (1 - b1) * gi
                let vi = b2 * v[i] + (1 - b2) * gi * gi
                m[i] = mi
                v[i] = vi
                p[i] = pi - stepSize * mi / (vi.squareRoot() / correction2Root + eps)
                i += 1
            }
        }
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter, 2019), like `torch.optim.AdamW`
/// (default weight decay 0.01).
///
/// - SeeAlso: <https://arxiv.org/abs/1711.05101>
public final class AdamW: Adam {
    override public init(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                eps: Float = 1e-8, weightDecay: Float = 0.01) {
        super.init(parameters, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                   decoupled: true)
    }
}
