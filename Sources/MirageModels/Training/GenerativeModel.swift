import Foundation
import MirageNN
import MirageTensor

/// How a model wants its training images prepared.
public struct InputFormat: Sendable, Equatable {
    /// Pixel values are scaled to this range.
    public var range: ClosedRange<Float>
    /// Binarise each batch by drawing every pixel from a Bernoulli with the pixel's intensity
    /// (dynamic binarisation, for Bernoulli decoders).
    public var dynamicBinarization: Bool

    public init(range: ClosedRange<Float>, dynamicBinarization: Bool = false) {
        self.range = range
        self.dynamicBinarization = dynamicBinarization
    }
}

/// A named image sheet a model draws for the run folder: a grid of `[N, C, H, W]` images in [0, 1].
public struct Sheet {
    public var name: String
    public var images: Tensor
    public var columns: Int
    public init(name: String, images: Tensor, columns: Int) {
        self.name = name
        self.images = images
        self.columns = columns
    }
}

/// A model the shared ``Trainer`` can train: it owns its networks and optimizers, knows one
/// training step, how to sample and which sheets show its progress. Everything else (the loop,
/// logging, checkpoints, resume) is the trainer's.
public protocol GenerativeModel: AnyObject {
    /// The hyper-parameters, as JSON, enough to rebuild the model (see ``ModelRegistry``).
    var configuration: Data { get }
    /// The networks by name; checkpoints store their state under `<name>.<key>`.
    var networks: [(String, Module)] { get }
    /// The optimizers by name; checkpoints store their state under `optimizer.<name>.<key>`.
    var optimizers: [(String, Optimizer)] { get }
    /// Generators whose state a resumed run must restore (noise, corruption, dropout).
    var generators: [(String, RandomGenerator)] { get }
    /// How training batches are prepared.
    var inputFormat: InputFormat { get }

    /// One optimisation step on a batch of images `[B, C, H, W]` (prepared as ``inputFormat``
    /// says) with their labels `[B]`. Returns the losses and metrics to log.
    func trainStep(images: Tensor, labels: Tensor) -> [String: Float]

    /// New samples, `[count, C, H, W]` in [0, 1].
    func sample(count: Int, generator: RandomGenerator) -> Tensor

    /// Sheets drawn at the end of each epoch. `fixed` holds the same images every epoch (from the
    /// test split), `noise` the same generator state, so sheets are comparable across epochs.
    func sheets(fixed: Tensor, noise: RandomGenerator) -> [Sheet]
}

extension GenerativeModel {
    /// Puts every network in training or evaluation mode.
    public func setTraining(_ on: Bool) {
        for (_, n) in networks { n.train(on) }
    }
}

/// Scales images from a model's input range back to [0, 1] for sheets and sample files.
public func toUnitRange(_ x: Tensor, from range: ClosedRange<Float>) -> Tensor {
    if range == 0...1 { return x }
    return ((x - range.lowerBound) / (range.upperBound - range.lowerBound)).clamped(min: 0, max: 1)
}
