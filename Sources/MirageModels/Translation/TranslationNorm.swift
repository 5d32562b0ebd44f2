import MirageNN

/// The normalisation layer of the translation networks: batch norm (pix2pix) or instance norm
/// (CycleGAN). As in the reference code, a convolution followed by batch norm has no bias (the
/// norm's shift replaces it), one followed by instance norm (no affine parameters) keeps it.
public enum TranslationNorm: String, Codable, Sendable, CaseIterable {
    case batch, instance

    /// A new normalisation layer over `channels` channels.
    func callAsFunction(_ channels: Int) -> any Layer {
        self == .batch ? BatchNorm2d(channels) : InstanceNorm2d(channels)
    }

    /// Whether a convolution followed by this norm has a bias.
    var convolutionBias: Bool { self == .instance }
}
