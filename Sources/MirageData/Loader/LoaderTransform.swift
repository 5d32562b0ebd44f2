/// How a ``DataLoader`` turns stored bytes into a batch: pixel scaling, binarisation, random
/// crop and flip, and the label format.
///
/// Per sample, in order: a random crop of the zero-padded image (``cropPadding``), a random
/// horizontal flip, binarisation (to 0 or 1), then scaling to the output range (so binarised
/// pixels become 0/1 under ``Scaling/unit`` and -1/1 under ``Scaling/symmetric``). Random
/// choices come from the loader's seed, the epoch and the batch number, never from a global
/// generator.
///
/// ```swift
/// // GAN on MNIST: pixels in [-1, 1].
/// let gan = LoaderTransform(scaling: .symmetric)
/// // VAE on dynamically binarised MNIST with one-hot labels for a conditional model.
/// let vae = LoaderTransform(binarization: .dynamic, oneHotLabels: true)
/// // CIFAR-10 augmentation, as torchvision's RandomCrop(32, padding=4) + RandomHorizontalFlip().
/// let cifar = LoaderTransform(scaling: .symmetric, cropPadding: 4, horizontalFlip: true)
/// ```
public struct LoaderTransform: Equatable, Sendable {
    /// The range pixel values are mapped to.
    public enum Scaling: Equatable, Sendable {
        /// Byte `v` becomes `v / 255`, in [0, 1] (torchvision's `ToTensor`).
        case unit
        /// Byte `v` becomes `v / 127.5 - 1`, in [-1, 1] (`Normalize(0.5, 0.5)`; tanh generators).
        case symmetric
    }

    /// Turning gray levels into black and white.
    public enum Binarization: Equatable, Sendable {
        /// Keep gray levels.
        case none
        /// 1 where `v / 255 > threshold`, else 0: the same image every epoch.
        case fixed(threshold: Float = 0.5)
        /// 1 with probability `v / 255`, drawn afresh for every pixel of every batch (the
        /// "dynamically binarised MNIST" of the VAE and autoregressive-model literature).
        case dynamic
    }

    /// The output range; ``Scaling/unit`` by default.
    public var scaling: Scaling
    /// Binarisation; none by default.
    public var binarization: Binarization
    /// When positive, each image is padded by this many zero pixels on every side and a
    /// window of the original size is cut at a uniformly random position.
    public var cropPadding: Int
    /// Whether each image is mirrored left-right with probability ½.
    public var horizontalFlip: Bool
    /// Whether labels come as `[B, classCount]` one-hot rows instead of `[B]` class indices.
    public var oneHotLabels: Bool

    /// Creates a transform; the defaults give [0, 1] pixels and class-index labels, unchanged.
    ///
    /// - Parameters:
    ///   - scaling: The output range.
    ///   - binarization: Fixed, dynamic or none.
    ///   - cropPadding: Padding for random crops; 0 turns them off.
    ///   - horizontalFlip: Random left-right mirroring.
    ///   - oneHotLabels: One-hot labels instead of class indices.
    public init(scaling: Scaling = .unit, binarization: Binarization = .none, cropPadding: Int = 0,
                horizontalFlip: Bool = false, oneHotLabels: Bool = false) {
        precondition(cropPadding >= 0, "LoaderTransform: cropPadding \(cropPadding) is negative")
        self.scaling = scaling
        self.binarization = binarization
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
        self.oneHotLabels = oneHotLabels
    }

    /// Whether a batch needs random numbers beyond the shuffle.
    var isRandom: Bool { cropPadding > 0 || horizontalFlip || binarization == .dynamic }

    /// The output values of a black (0) and a white (1) pixel.
    var blackAndWhite: (Float, Float) { scaling == .unit ? (0, 1) : (-1, 1) }

    /// The output value of each byte, binarisation with a fixed threshold included.
    var lookupTable: [Float] {
        let (black, white) = blackAndWhite
        return (0..<256).map { v -> Float in
            let x = Float(v) / 255
            if case let .fixed(threshold) = binarization { return x > threshold ? white : black }
            return scaling == .unit ? x : Float(v) / 127.5 - 1
        }
    }
}
