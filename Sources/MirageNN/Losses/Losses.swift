import Foundation
import MirageTensor

/// How a loss reduces its per-element values.
public enum Reduction: Sendable {
    /// The mean over all elements (PyTorch's default).
    case mean
    /// The sum over all elements.
    case sum
    /// No reduction: one value per element.
    case none

    func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .mean: x.mean()
        case .sum: x.sum()
        case .none: x
        }
    }
}

private func checkSameShape(_ a: Tensor, _ b: Tensor, _ op: String) {
    precondition(a.shape == b.shape, "\(op): input has shape \(a.shape), target has shape \(b.shape)")
}

/// Binary cross-entropy on logits, `softplus(x) − x·y`, stable for any logit, like
/// `torch.nn.functional.binary_cross_entropy_with_logits`. The GAN discriminator loss.
///
/// ```swift
/// let lossD = binaryCrossEntropyWithLogits(critic(real), Tensor.ones([64, 1]))
/// ```
public func binaryCrossEntropyWithLogits(_ logits: Tensor, _ targets: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape(logits, targets, "binaryCrossEntropyWithLogits")
    return reduction.apply(logits.softplus() - logits * targets)
}

/// Cross-entropy between logits `(N, C)` and class indices `(N)` (integral values), like
/// `torch.nn.functional.cross_entropy`.
public func crossEntropy(_ logits: Tensor, _ labels: Tensor, reduction: Reduction = .mean) -> Tensor {
    precondition(logits.rank == 2 && labels.shape == [logits.shape[0]],
                 "crossEntropy: logits have shape \(logits.shape), labels \(labels.shape); expected (N, C) and (N)")
    let picked = logits.logSoftmax(axis: 1).gather(axis: 1, indices: labels.reshaped([-1, 1]))
    return reduction.apply(-picked.reshaped([-1]))
}

/// Mean squared error, like `torch.nn.functional.mse_loss`.
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape(input, target, "mseLoss")
    let d = input - target
    return reduction.apply(d * d)
}

/// Mean absolute error, like `torch.nn.functional.l1_loss`. pix2pix's reconstruction term and
/// CycleGAN's cycle-consistency loss.
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    checkSameShape(input, target, "l1Loss")
    return reduction.apply((input - target).abs())
}

/// KL(N(μ, σ²) ‖ N(0, 1)) summed over the last axis, from the mean and log-variance:
/// `−½ Σ (1 + log σ² − μ² − σ²)`. The VAE's regulariser; one value per sample.
///
/// ## Shape
/// `mu`, `logVar`: `(N, D)`; result `(N)`.
public func gaussianKLToStandardNormal(mu: Tensor, logVar: Tensor) -> Tensor {
    checkSameShape(mu, logVar, "gaussianKLToStandardNormal")
    return ((1 + logVar - mu * mu - logVar.exp()) * -0.5).sum(axis: -1)
}

/// log p(x | logits) under independent Bernoullis, summed over all axes but the first: the VAE
/// reconstruction term for binary data. One value per sample, in nats.
public func bernoulliLogLikelihood(_ x: Tensor, logits: Tensor) -> Tensor {
    checkSameShape(x, logits, "bernoulliLogLikelihood")
    let perElement = logits * x - logits.softplus()
    return perElement.reshaped([x.shape[0], -1]).sum(axis: 1)
}

/// log N(x | mean, exp(logVar)) summed over all axes but the first. One value per sample, in nats.
public func gaussianLogLikelihood(_ x: Tensor, mean: Tensor, logVar: Tensor) -> Tensor {
    checkSameShape(x, mean, "gaussianLogLikelihood")
    let lv = logVar.shape == x.shape ? logVar : logVar.expanded(to: x.shape)
    let d = x - mean
    let perElement = (lv + d * d / lv.exp() + Float(Foundation.log(2 * Double.pi))) * -0.5
    return perElement.reshaped([x.shape[0], -1]).sum(axis: 1)
}

/// Hinge loss for a GAN discriminator (Lim & Ye, 2017; used by SNGAN and BigGAN):
/// `mean(relu(1 − D(real))) + mean(relu(1 + D(fake)))`. The generator's side is `−mean(D(fake))`.
public func hingeLoss(real: Tensor, fake: Tensor) -> Tensor {
    (1 - real).relu().mean() + (1 + fake).relu().mean()
}
