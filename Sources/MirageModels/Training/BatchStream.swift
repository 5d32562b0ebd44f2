import MirageData
import MirageTensor

/// An endless run of training batches addressed by number: batch `n` is batch `n % perEpoch`
/// of epoch `n / perEpoch` of a seeded ``DataLoader`` (or, for a 2-D toy, a fresh draw seeded by
/// `n`). It depends only on (seed, n), so a resumed run gets the same batches as an
/// uninterrupted one. Whole epochs come from the loader's prefetching iterator; a run resumed
/// mid-epoch builds the rest of that epoch batch by batch.
final class BatchStream {
    private enum Source {
        case loader(DataLoader)
        case points(any ToyDistribution2D, batchSize: Int, seed: UInt64)
    }

    private let source: Source
    private var iterator: DataLoader.BatchIterator?
    /// The number of the batch ``next()`` returns.
    private(set) var position: Int

    /// Batches of images from a loader.
    init(_ loader: DataLoader, startingAt position: Int) {
        source = .loader(loader)
        self.position = position
    }

    /// Batches of `batchSize` points drawn from `toy`.
    init(_ toy: any ToyDistribution2D, batchSize: Int, seed: UInt64, startingAt position: Int) {
        source = .points(toy, batchSize: batchSize, seed: seed)
        self.position = position
    }

    /// Nominal batches per epoch for a toy distribution, which has no end: an "epoch" only sets
    /// how often sheets are drawn.
    static let pointBatchesPerEpoch = 500

    /// Batches in one epoch.
    var batchesPerEpoch: Int {
        switch source {
        case let .loader(l): return l.batchesPerEpoch
        case .points: return Self.pointBatchesPerEpoch
        }
    }

    func next() -> Batch {
        defer { position += 1 }
        switch source {
        case let .points(toy, batchSize, seed):
            let points = toy.sample(count: batchSize, generator: RandomGenerator.derived(seed: seed, UInt64(position)))
            return Batch(images: points, labels: Tensor.zeros([batchSize]), indices: Array(0..<batchSize))
        case let .loader(loader):
            let per = loader.batchesPerEpoch, epoch = position / per, index = position % per
            if index == 0 { iterator = loader.epoch(epoch).makeIterator() }
            if let it = iterator, it.epoch == epoch, let batch = it.next() { return batch }
            return loader.batch(index, epoch: epoch)
        }
    }
}
