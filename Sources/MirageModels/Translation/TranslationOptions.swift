import ArgumentParser

/// The options pix2pix and CycleGAN share: widths, the discriminator's depth, Adam, and the
/// augmentation of image folders. Unset ones follow the reference code for the data's size.
public struct TranslationOptions: ParsableArguments {
    @Option(help: "Channels of the generator's first layer (ngf).")
    public var filters: Int = 64

    @Option(help: "Channels of the discriminator's first layer (ndf).")
    public var discriminatorFilters: Int = 64

    @Option(help: "Stride-2 layers of the PatchGAN discriminator (default: 3 for images of 64 pixels and up, 70×70 patches; else 2).")
    public var discriminatorLayers: Int?

    @Option(help: "Learning rate of both Adam optimizers.")
    public var lr: Float = 2e-4

    @Option(help: "Adam's β₁.")
    public var beta1: Float = 0.5

    @Option(help: "Adam's β₂.")
    public var beta2: Float = 0.999

    @Option(help: "Random crops of the images zero-padded by this many pixels (default: an eighth of the side for PNG folders, 0 for the MNIST domains).")
    public var jitter: Int?

    @Flag(inversion: .prefixedNo, help: "Random left-right flips (default: on for PNG folders, off for the MNIST domains, where a flip changes a digit).")
    public var flip: Bool?

    public init() {}

    public func validate() throws {
        guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
        guard (0..<1).contains(beta1), (0..<1).contains(beta2) else {
            throw ValidationError("--beta1 and --beta2 must lie in [0, 1), got \(beta1) and \(beta2)")
        }
        guard (1...1024).contains(filters), (1...1024).contains(discriminatorFilters) else {
            throw ValidationError("--filters and --discriminator-filters must lie in 1...1024, got \(filters) and \(discriminatorFilters)")
        }
        if let discriminatorLayers, !(1...8).contains(discriminatorLayers) {
            throw ValidationError("--discriminator-layers must lie in 1...8, got \(discriminatorLayers)")
        }
        if let jitter, jitter < 0 { throw ValidationError("--jitter must be at least 0, got \(jitter)") }
    }

    /// The network configuration these options ask for on data of this size and origin.
    func configuration(data: DataDescription) -> TranslationNetworkConfig {
        var c = TranslationNetworkConfig()
        let (h, w) = (data.sampleShape.count == 3 ? data.sampleShape[1] : 1, data.sampleShape.count == 3 ? data.sampleShape[2] : 1)
        c.filters = filters
        c.discriminatorFilters = discriminatorFilters
        c.discriminatorLayers = discriminatorLayers ?? PatchGANDiscriminator.defaultLayers(height: h, width: w)
        c.learningRate = lr
        c.beta1 = beta1
        c.beta2 = beta2
        c.jitter = jitter ?? (data.fromFolder ? min(h, w) / 8 : 0)
        c.flip = flip ?? data.fromFolder
        return c
    }
}

/// Checks what the translation networks need of a configuration: image sizes the U-Net can halve
/// (and, for a ResNet generator, divisible by 4), a discriminator that leaves at least one patch,
/// sensible widths and Adam's settings.
func validateTranslation(kind: String, imageShape: [Int], channelsB: Int, network n: TranslationNetworkConfig,
                         resnet: Bool = false) throws {
    try validateConfiguration(kind: kind, imageShape: imageShape, sizes: [("filters", n.filters), ("discriminator filters", n.discriminatorFilters)],
                              learningRate: n.learningRate)
    try requireAdamBetas(n.beta1, n.beta2, kind: kind)
    guard (1...4).contains(channelsB) else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "domain B has \(channelsB) channels; 1 to 4 are possible")
    }
    guard n.filters <= 1024, n.discriminatorFilters <= 1024, (1...8).contains(n.discriminatorLayers), n.jitter >= 0, n.jitter <= 4096 else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "filters \(n.filters), discriminator filters \(n.discriminatorFilters), discriminator layers \(n.discriminatorLayers) or jitter \(n.jitter) out of range")
    }
    let (h, w) = (imageShape[1], imageShape[2])
    guard min(h, w) >= 2 else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "images of \(w)×\(h) are too small for a U-Net; sides of at least 2 pixels are needed")
    }
    if resnet, h % 4 != 0 || w % 4 != 0 || min(h, w) < 8 {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "the ResNet generator needs sides that are multiples of 4 (at least 8), and the images are \(w)×\(h); use --generator unet")
    }
    // Each stride-2 layer halves the side (flooring), each of the last two stride-1 layers takes one off.
    var side = min(h, w)
    for _ in 0..<n.discriminatorLayers { side /= 2 }
    guard side >= 3 else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "a PatchGAN with \(n.discriminatorLayers) stride-2 layers leaves no patch of \(w)×\(h) images; lower --discriminator-layers")
    }
}
