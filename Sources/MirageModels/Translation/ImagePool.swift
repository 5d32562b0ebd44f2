import MirageNN
import MirageTensor

/// CycleGAN's history of generated images (Shrivastava et al., 2017): the discriminators are
/// shown a mix of the generator's newest images and older ones, so that they do not chase the
/// generator's latest mode and oscillate.
///
/// Each image of a queried batch is stored while the pool has room and passed through; once the
/// pool is full, with probability ½ it takes the place of a random stored image, which is returned
/// instead, else it is passed through. Its contents are part of a run's checkpoint
/// (``stateTensors(prefix:)``), so that a resumed run shows the discriminators the same images.
///
/// ```swift
/// let pool = ImagePool(capacity: 50, imageShape: [3, 28, 28], generator: RandomGenerator(seed: 0))
/// let shown = pool.query(fakes.detached())   // same shape as fakes
/// ```
///
/// - SeeAlso: <https://arxiv.org/abs/1612.07828>
public final class ImagePool {
    public let capacity: Int
    public let imageShape: [Int]
    /// The stored images, `[C, H, W]` each, in the order they were stored.
    public private(set) var images: [Tensor] = []
    let generator: RandomGenerator

    public init(capacity: Int = 50, imageShape: [Int], generator: RandomGenerator) {
        precondition(capacity >= 0, "ImagePool: capacity must be non-negative, got \(capacity)")
        self.capacity = capacity
        self.imageShape = imageShape
        self.generator = generator
    }

    /// The batch `[B, C, H, W]` to show a discriminator in place of `batch`. In data-parallel
    /// training `batch` is `shard`'s rows: the global batch is gathered and queried, so that
    /// every process holds the pool one process would, and this shard's rows are returned.
    public func query(_ batch: Tensor, shard: BatchShard) -> Tensor {
        shard.isWhole ? query(batch) : shard.local(query(shard.gathered(batch.detached())))
    }

    /// The batch `[B, C, H, W]` to show a discriminator in place of `batch`.
    public func query(_ batch: Tensor) -> Tensor {
        guard capacity > 0 else { return batch }
        let incoming = batch.detached().chunked(batch.shape[0], axis: 0).map { $0.squeezed(axis: 0) }
        var out: [Tensor] = []
        for image in incoming {
            if images.count < capacity {
                images.append(image)
                out.append(image)
            } else if generator.nextUniform() > 0.5 {
                let i = generator.nextIndex(below: capacity)
                out.append(images[i])
                images[i] = image
            } else {
                out.append(image)
            }
        }
        return Tensor.concat(out.map { $0.unsqueezed(axis: 0) }, axis: 0)
    }

    /// The pool as checkpoint tensors: `<prefix>` holds `[capacity, C, H, W]` (unused slots zero)
    /// and `<prefix>_count` how many are in use.
    public func stateTensors(prefix: String) -> [String: Tensor] {
        let empty = Tensor.zeros([capacity - images.count] + imageShape)
        let all = images.isEmpty ? empty : Tensor.concat(images.map { $0.unsqueezed(axis: 0) } + (capacity > images.count ? [empty] : []), axis: 0)
        return [prefix: all, "\(prefix)_count": Tensor(Float(images.count))]
    }

    /// Restores what ``stateTensors(prefix:)`` wrote.
    ///
    /// - Throws: ``ImagePoolError`` naming the entry that is missing or does not fit the pool.
    public func restore(_ state: [String: Tensor], prefix: String) throws {
        guard let all = state[prefix], let countTensor = state["\(prefix)_count"] else {
            throw ImagePoolError(entry: state[prefix] == nil ? prefix : "\(prefix)_count", problem: "is missing")
        }
        guard all.shape == [capacity] + imageShape else {
            throw ImagePoolError(entry: prefix, problem: "has shape \(all.shape), expected \([capacity] + imageShape)")
        }
        let count = countTensor.scalars.count == 1 ? countTensor.scalars[0] : -1
        guard count >= 0, count <= Float(capacity), count == count.rounded() else {
            throw ImagePoolError(entry: "\(prefix)_count", problem: "holds \(countTensor.scalars.prefix(4)), not a count from 0 to \(capacity)")
        }
        images = (0..<Int(count)).map { all.sliced(axis: 0, $0..<($0 + 1)).squeezed(axis: 0) }
    }
}

/// A checkpoint's image pool that cannot be restored.
public struct ImagePoolError: Error, CustomStringConvertible {
    public var entry: String
    public var problem: String
    public var description: String { "the image pool's state.\(entry) \(problem)" }
}
