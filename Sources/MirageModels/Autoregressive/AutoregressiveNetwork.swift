import MirageNN
import MirageTensor

/// The network inside a ``PixelCNN``: logits for every pixel of an image, each computed from the
/// pixels before it in raster order only, so that one pass gives every factor of
/// p(x) = ∏ᵢ p(xᵢ | x₁ … xᵢ₋₁).
public protocol AutoregressiveNetwork: Module {
    /// Logits `[N, K, H, W]` (K = 1 for Bernoulli pixels, 256 for 8-bit levels) for images
    /// `[N, 1, H, W]`, given class indices `[N]` when the network is class-conditional.
    func callAsFunction(_ x: Tensor, labels: Tensor?) -> Tensor
    /// A sampler that computes one row at a time, keeping each layer's activations of the rows
    /// already drawn, so a pixel costs one row of every layer rather than a pass over the image.
    func rowSampler(labels: Tensor?) -> any RowSampler
}

/// Computes a network's logits one row at a time for pixel-by-pixel sampling (see
/// ``AutoregressiveNetwork/rowSampler(labels:)``). Rows are visited in order 0, 1, …: any number
/// of ``logits(_:)`` calls while a row is drawn, then one ``finish(_:)`` once it is.
public protocol RowSampler {
    /// The logits `[N, K, 1, W]` of the current row, from `recent`: the image's rows
    /// `max(0, row − 3) … row` as `[N, 1, m, W]`, the last one drawn up to the pixel whose
    /// logits are wanted (later pixels may hold anything: they are not read).
    func logits(_ recent: Tensor) -> Tensor
    /// The current row is drawn (`recent` as for ``logits(_:)``): keep what the rows below need.
    func finish(_ recent: Tensor)
}

/// The `recent` rows of ``RowSampler`` padded above with zero rows to `rows` rows, as the whole
/// image's zero padding would.
func paddedAbove(_ recent: Tensor, to rows: Int) -> Tensor {
    let m = recent.shape[2]
    return m >= rows ? recent.sliced(axis: 2, (m - rows)..<m) : recent.padded([(0, 0), (0, 0), (rows - m, 0)])
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
