import MirageNN

/// A model trained against a discriminator (or a WGAN's critic): ``GAN`` and ``WGAN``. f-AnoGAN
/// (``FAnoGAN``) scores anomalies with the adversary's features.
public protocol AdversarialModel: NoiseToImageModel {
    /// The discriminator, or the critic.
    var adversary: any Layer { get }
    /// Samples per adversary input (PacGAN's m; 1 for an unpacked model).
    var pack: Int { get }
}

extension GAN: AdversarialModel {
    public var adversary: any Layer { discriminator }
    public var pack: Int { config.pack }
}

extension WGAN: AdversarialModel {
    public var adversary: any Layer { critic }
    public var pack: Int { config.pack }
}
