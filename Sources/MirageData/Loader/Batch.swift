import MirageTensor

/// One batch from a ``DataLoader``.
///
/// Plain tensors: nothing about them is recorded for gradients until a model uses them.
///
/// ```swift
/// for batch in loader {
///     let logits = model(batch.images)                       // [B, C, H, W] in
///     let loss = crossEntropy(logits, batch.labels)          // [B] class indices
/// }
/// ```
public struct Batch: Sendable {
    /// The images, `[B, C, H, W]` Float32, scaled as the loader's transform says.
    public let images: Tensor
    /// The labels: `[B]` class indices stored as Float, or `[B, classCount]` one-hot rows.
    public let labels: Tensor
    /// Which dataset samples the batch holds, in batch order.
    public let indices: [Int]

    /// Creates a batch.
    ///
    /// - Parameters:
    ///   - images: `[B, C, H, W]` images.
    ///   - labels: `[B]` or `[B, classes]` labels.
    ///   - indices: The B dataset indices.
    public init(images: Tensor, labels: Tensor, indices: [Int]) {
        precondition(images.shape.first == indices.count && labels.shape.first == indices.count,
                     "Batch: images \(images.shape) and labels \(labels.shape) must both have \(indices.count) rows")
        self.images = images
        self.labels = labels
        self.indices = indices
    }

    /// Number of samples, B.
    public var count: Int { indices.count }
}
