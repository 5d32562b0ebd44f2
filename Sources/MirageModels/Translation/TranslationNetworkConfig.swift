/// What pix2pix and CycleGAN share in their configurations: network widths, the discriminator's
/// depth, Adam's settings, and the augmentation of image folders.
public struct TranslationNetworkConfig: Codable, Equatable, Sendable {
    /// Channels of the generator's first layer (the reference's `ngf`).
    public var filters = 64
    /// Channels of the discriminator's first layer (`ndf`).
    public var discriminatorFilters = 64
    /// The PatchGAN's stride-2 layers (`n_layers`): 3 from 64 pixels up, 2 below.
    public var discriminatorLayers = 2
    public var learningRate: Float = 2e-4
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999
    /// Random crops of the images zero-padded by this many pixels (the reference's resize-and-crop jitter).
    public var jitter = 0
    /// Random left-right flips.
    public var flip = false
    public init() {}
}
