import MirageTensor

/// Scales all gradients so that their joint L2 norm is at most `maxNorm`, like
/// `torch.nn.utils.clip_grad_norm_`.
///
/// - Returns: The total norm before clipping (infinite or NaN if a gradient is).
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Float) -> Float {
    let grads = parameters.compactMap(\.grad)
    let total = grads.reduce(0.0) { acc, g in
        acc + g.withUnsafeBufferPointer { $0.reduce(0.0) { $0 + Double($1) * Double($1) } }
    }.squareRoot()
    let scale = Float(Double(maxNorm) / (total + 1e-6))
    if scale < 1 {
        withNoGrad {
            for p in parameters { if let g = p.grad { p.grad = g * scale } }
        }
    }
    return Float(total)
}

/// Clamps every parameter to [−c, c] in place: the original WGAN's way of keeping the critic
/// Lipschitz (Arjovsky et al., 2017).
public func clipWeights(_ parameters: [Tensor], to c: Float) {
    precondition(c > 0, "clipWeights: the bound must be positive, got \(c)")
    for p in parameters {
        p.withUnsafeMutableBufferPointer { b in
            for i in b.indices { b[i] = min(max(b[i], -c), c) }
        }
    }
}
