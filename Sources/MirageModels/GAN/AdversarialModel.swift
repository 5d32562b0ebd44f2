import MirageNN
import MirageTensor

/// A model trained against a discriminator (or a WGAN's critic): ``GAN`` and ``WGAN``. f-AnoGAN
/// (``FAnoGAN``) scores anomalies with the adversary's features.
public protocol AdversarialModel: NoiseToImageModel {
    /// The discriminator, or the critic.
    var adversary: any Layer { get }
    /// Samples per adversary input (PacGAN's m; 1 for an unpacked model).
    var pack: Int { get }
}

/// A discriminator whose last hidden layer can be read: f-AnoGAN (``FAnoGAN``) scores anomalies
/// by the residual of these features between an image and its regeneration.
public protocol FeatureDiscriminator: Layer {
    /// `[C, H, W]` of the single images it judges.
    var inputShape: [Int] { get }
    /// The activations its last layer reads, `[B, F]`, for images `[B, C, H, W]`.
    func features(_ x: Tensor) -> Tensor
}

extension GAN: AdversarialModel {
    public var adversary: any Layer { discriminator }
    public var pack: Int { config.pack }
}

extension WGAN: AdversarialModel {
    public var adversary: any Layer { critic }
    public var pack: Int { config.pack }
}
