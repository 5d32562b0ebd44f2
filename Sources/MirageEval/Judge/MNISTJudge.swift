import MirageNN
import MirageTensor

/// A small convolutional MNIST classifier whose features and predictions judge generated digits:
/// the MNIST stand-in for the Inception network behind FID and the Inception Score.
///
/// Architecture (PyTorch names, so the weights load in `torch.nn` too):
/// `conv1` 1→32, 3×3, padding 1 → ReLU → max-pool 2 → `conv2` 32→64, 3×3, padding 1 → ReLU →
/// max-pool 2 → flatten (3136) → `fc1` 3136→128 → ReLU (the **features**) → dropout 0.25 (training
/// only) → `fc2` 128→10 (the **logits**). 421,642 parameters.
///
/// Mirage ships trained weights in `Data/judge/mnist-judge.safetensors`, made by
/// `mirage eval train-judge`; ``load(path:environment:)`` finds them. The judge is always used in
/// evaluation mode: the same image gives the same features every time.
///
/// ```swift
/// let judge = try MNISTJudge.load()
/// let images = try ImageDataset.mnist(split: .test).tensor(indices: Array(0..<16))  // [16, 1, 28, 28] in [0, 1]
/// let f = judge.features(images)                      // [16, 128]
/// let predicted = judge.logits(images).argmax(axis: 1) // [16]
/// ```
///
/// ## Shape
/// input `(N, 1, 28, 28)` with values in [0, 1] (0 black, 1 white, as MNIST stores digits);
/// ``features(_:)`` `(N, 128)`, ``logits(_:)`` `(N, 10)`.
///
/// ### See Also
/// - ``SampleQuality``
/// - ``ReferenceStatistics``
public final class MNISTJudge: Module, Layer {
    /// The first convolution, 1→32 channels.
    public let conv1: Conv2d
    /// The second convolution, 32→64 channels.
    public let conv2: Conv2d
    /// The feature layer, 3136→128.
    public let fc1: Linear
    /// The classifier, 128→10.
    public let fc2: Linear
    /// Dropout before the classifier (active only in training mode).
    public let dropout: Dropout
    /// The file the weights were loaded from (``load(path:environment:)``), `nil` for a judge
    /// made in memory.
    public internal(set) var weightsPath: String?

    /// The width of the feature vector.
    public static let featureCount = 128
    /// The number of classes.
    public static let classCount = 10
    /// The input shape of one image, `[1, 28, 28]`.
    public static let imageShape = [1, 28, 28]

    /// Creates an untrained judge with PyTorch's default initialisation.
    ///
    /// - Parameter generator: The source of the initial weights and of the dropout masks.
    public init(generator: RandomGenerator = .global) {
        conv1 = Conv2d(1, 32, kernelSize: 3, padding: 1, generator: generator)
        conv2 = Conv2d(32, 64, kernelSize: 3, padding: 1, generator: generator)
        fc1 = Linear(64 * 7 * 7, MNISTJudge.featureCount, generator: generator)
        fc2 = Linear(MNISTJudge.featureCount, MNISTJudge.classCount, generator: generator)
        dropout = Dropout(p: 0.25, generator: generator)
        super.init()
        eval()
    }

    /// The penultimate features: the 128 ReLU activations of `fc1`.
    ///
    /// - Parameter x: Images `(N, 1, 28, 28)` in [0, 1].
    /// - Returns: Features `(N, 128)`, non-negative.
    public func features(_ x: Tensor) -> Tensor {
        precondition(x.rank == 4 && Array(x.shape.dropFirst()) == MNISTJudge.imageShape,
                     "MNISTJudge: expected images [N, 1, 28, 28], got shape \(x.shape)")
        var h = maxPool2d(conv1(x).relu(), kernelSize: (2, 2))
        h = maxPool2d(conv2(h).relu(), kernelSize: (2, 2))
        return fc1(h.flattened(startAxis: 1)).relu()
    }

    /// The class logits computed from ``features(_:)``.
    ///
    /// - Parameter features: `(N, 128)` features.
    /// - Returns: Logits `(N, 10)`.
    public func logits(fromFeatures features: Tensor) -> Tensor {
        fc2(dropout(features))
    }

    /// The class logits (unnormalised log-probabilities) of images.
    ///
    /// - Parameter x: Images `(N, 1, 28, 28)` in [0, 1].
    /// - Returns: Logits `(N, 10)`.
    public func logits(_ x: Tensor) -> Tensor {
        logits(fromFeatures: features(x))
    }

    /// The logits; what MirageNN's `Layer` requires.
    public func callAsFunction(_ x: Tensor) -> Tensor { logits(x) }

    /// Features and class probabilities of many images, in batches, without recording a graph
    /// and in evaluation mode (the mode is restored afterwards).
    ///
    /// - Parameters:
    ///   - images: `(N, 1, 28, 28)` in [0, 1].
    ///   - batchSize: Images per forward pass (memory grows with it).
    /// - Returns: Features `(N, 128)` and softmax probabilities `(N, 10)`.
    public func evaluate(_ images: Tensor, batchSize: Int = 1000) -> (features: Tensor, probabilities: Tensor) {
        precondition(batchSize > 0, "MNISTJudge.evaluate: batchSize must be positive, got \(batchSize)")
        let wasTraining = isTraining
        eval()
        defer { train(wasTraining) }
        return withNoGrad {
            var features: [Tensor] = [], probabilities: [Tensor] = []
            var start = 0
            let n = images.shape.first ?? 0
            while start < n {
                let batch = images.sliced(axis: 0, start..<Swift.min(n, start + batchSize))
                let f = self.features(batch)
                features.append(f)
                probabilities.append(logits(fromFeatures: f).softmax(axis: 1))
                start += batchSize
            }
            if features.isEmpty {
                return (Tensor.zeros([0, MNISTJudge.featureCount]), Tensor.zeros([0, MNISTJudge.classCount]))
            }
            return (Tensor.concat(features, axis: 0), Tensor.concat(probabilities, axis: 0))
        }
    }

    /// The share of `images` whose most probable class is the given label.
    ///
    /// - Parameters:
    ///   - images: `(N, 1, 28, 28)` in [0, 1].
    ///   - labels: N class indices in 0..<10.
    /// - Returns: Accuracy in [0, 1].
    public func accuracy(images: Tensor, labels: [Int]) -> Double {
        precondition(images.shape.first == labels.count,
                     "MNISTJudge.accuracy: \(images.shape.first ?? 0) images but \(labels.count) labels")
        guard !labels.isEmpty else { return 0 }
        let predicted = evaluate(images).probabilities.argmax(axis: 1).scalars
        let correct = zip(predicted, labels).filter { Int($0) == $1 }.count
        return Double(correct) / Double(labels.count)
    }
}
