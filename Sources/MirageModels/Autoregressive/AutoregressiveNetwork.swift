import MirageNN
import MirageTensor

/// The network inside a ``PixelCNN``: logits for every pixel of an image, each computed from the
/// pixels before it in raster order only, so that one pass gives every factor of
/// p(x) = ∏ᵢ p(xᵢ | x₁ … xᵢ₋₁).
public protocol AutoregressiveNetwork: Module {
    /// Logits `[N, K, H, W]` (K = 1 for Bernoulli pixels, 256 for 8-bit levels) for images
    /// `[N, 1, H, W]`, given class indices `[N]` when the network is class-conditional.
    func callAsFunction(_ x: Tensor, labels: Tensor?) -> Tensor
    /// How many rows above a pixel its logits can depend on: sampling a row needs only the
    /// window of this many rows above it, not the whole image.
    var rowsAbove: Int { get }
}

/// The two halves of a gated unit's pre-activation, joined: tanh(a) ⊙ σ(b) (van den Oord et al.,
/// 2016, Conditional PixelCNN).
func gatedActivation(_ x: Tensor) -> Tensor {
    let half = x.shape[1] / 2
    let parts = x.split(sizes: [half, half], axis: 1)
    return parts[0].tanh() * parts[1].sigmoid()
}

/// A class's learned bias on a layer's channels, broadcast over the image: `[N, C]` → `[N, C, 1, 1]`.
func classBias(_ embedding: Embedding?, _ labels: Tensor?) -> Tensor? {
    guard let embedding, let labels else { return nil }
    return embedding(labels).unsqueezed(axis: 2).unsqueezed(axis: 3)
}
