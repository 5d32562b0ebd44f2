import MirageNN
import MirageTensor

/// The losses of the adversarial step that the GAN family and the translation models share
/// (Goodfellow et al., 2014, with the generator's non-saturating loss): the discriminator's
/// binary cross-entropy on real and generated logits, and the generator's on its samples judged
/// as real. The update itself goes through ``Updater``: the discriminator's with
/// ``Updater/minimize(_:with:clippingNorm:)`` on generated images that are detached, the
/// generator's with ``Updater/minimize(with:judgedBy:_:)`` against a frozen discriminator.
///
/// ```swift
/// let dReal = discriminator(real), dFake = discriminator(fake.detached())
/// context.updater.minimize(AdversarialLoss.discriminator(real: dReal, fake: dFake), with: optimizerD)
/// context.updater.minimize(with: optimizerG, judgedBy: [discriminator]) {
///     AdversarialLoss.generator(discriminator(fake))
/// }
/// ```
public enum AdversarialLoss {
    /// BCE(real logits, 1) + BCE(generated logits, 0), each averaged over its elements (a
    /// PatchGAN's map of patches included).
    public static func discriminator(real: Tensor, fake: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(real, Tensor.ones(real.shape)) + binaryCrossEntropyWithLogits(fake, Tensor.zeros(fake.shape))
    }

    /// BCE(logits of generated samples, 1): the non-saturating generator loss.
    public static func generator(_ judged: Tensor) -> Tensor {
        binaryCrossEntropyWithLogits(judged, Tensor.ones(judged.shape))
    }
}
