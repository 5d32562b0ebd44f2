import MirageTensor

/// PacGAN's packing (Lin et al., 2018): the discriminator judges `m` samples at once, all real or
/// all generated, concatenated along the feature (or channel) axis. A generator that collapses
/// onto a few modes makes packs whose members look alike, which a packed discriminator sees at
/// once where a per-sample one cannot: it penalises the lack of diversity directly.
///
/// ```swift
/// let real = Packing.pack([b1, b2])              // two [64, 1, 28, 28] batches → [64, 2, 28, 28]
/// let fake = Packing.pack(g(z128), into: 2)      // [128, 1, 28, 28] → [64, 2, 28, 28]
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1712.04086>
public enum Packing {
    /// Packs of one sample from each batch: pack `i` is sample `i` of every batch, in order.
    ///
    /// - Parameter batches: `m ≥ 1` batches of equal shape `[n, …]` (points `[n, 2]` or images
    ///   `[n, C, H, W]`).
    /// - Returns: `[n, m·d, …]`, axis 1 holding the batches' axis 1 one after another.
    public static func pack(_ batches: [Tensor]) -> Tensor {
        precondition(!batches.isEmpty && batches.allSatisfy { $0.shape == batches[0].shape && $0.rank >= 2 },
                     "Packing.pack: expected one or more batches of one shape [n, …], got \(batches.map(\.shape))")
        return batches.count == 1 ? batches[0] : Tensor.concat(batches, axis: 1)
    }

    /// `m·n` samples as `n` packs of `m`: the samples split into `m` consecutive batches, then
    /// ``pack(_:)``, so pack `i` holds samples `i, n + i, …, (m − 1)·n + i`.
    ///
    /// - Parameters:
    ///   - samples: `[m·n, …]`.
    ///   - m: Samples per pack.
    public static func pack(_ samples: Tensor, into m: Int) -> Tensor {
        precondition(m > 0 && samples.shape[0] % m == 0, "Packing.pack: \(samples.shape[0]) samples do not make packs of \(m)")
        return m == 1 ? samples : pack(samples.chunked(m, axis: 0))
    }

    /// The shape of one pack of samples of shape `sample` (`[2]` or `[C, H, W]`): axis 0 times `m`.
    public static func packedShape(_ sample: [Int], _ m: Int) -> [Int] {
        [sample[0] * m] + sample.dropFirst()
    }
}
