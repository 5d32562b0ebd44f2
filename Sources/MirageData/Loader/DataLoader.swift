import Foundation
import MirageTensor

/// Batches of an ``ImageDataset`` as Float32 tensors: seeded shuffling, drop-last, pixel
/// transforms, and preparation on a background thread that overlaps training.
///
/// Iterating the loader (`for batch in loader`) runs the next epoch: the first loop is epoch
/// 0, the next epoch 1, and so on, each with its own order. ``epoch(_:)`` runs a given epoch.
/// The order of epoch `e` is a Fisher-Yates shuffle drawn from a generator seeded by
/// `(seed, e)`, and the random choices of its batch `b` (crops, flips, dynamic binarisation)
/// come from `(seed, e, b)`: the same seed gives the same batches, with or without
/// prefetching, on every machine.
///
/// With `prefetch > 0` a background thread prepares up to that many batches ahead of the
/// loop. It stops when the epoch ends or when the iterator is dropped (a `break` out of the
/// loop), whichever comes first.
///
/// ```swift
/// let train = try ImageDataset.mnist(split: .train)
/// let loader = DataLoader(train, batchSize: 64, seed: 42, transform: LoaderTransform(scaling: .symmetric))
/// for epoch in 0..<10 {
///     for batch in loader.epoch(epoch) {
///         // batch.images: [64, 1, 28, 28] in [-1, 1]; batch.labels: [64]
///     }
/// }
/// print(loader.batchesPerEpoch)   // 938 (the last batch holds 32 samples)
/// ```
///
/// ### See Also
/// - ``LoaderTransform``
/// - ``Batch``
public final class DataLoader: Sequence, @unchecked Sendable {
    /// The samples.
    public let dataset: ImageDataset
    /// Samples per batch.
    public let batchSize: Int
    /// Whether each epoch visits the samples in a fresh random order (else in dataset order).
    public let shuffle: Bool
    /// The seed of every random choice the loader makes.
    public let seed: UInt64
    /// Whether a last batch smaller than ``batchSize`` is left out.
    public let dropLast: Bool
    /// What is done to each sample.
    public let transform: LoaderTransform
    /// How many batches the background thread prepares ahead; 0 prepares them in the loop.
    public let prefetch: Int

    private let assembler: BatchAssembler
    private let lock = NSLock()
    private var nextEpoch = 0

    /// Creates a loader.
    ///
    /// - Parameters:
    ///   - dataset: The samples.
    ///   - batchSize: Samples per batch (positive).
    ///   - shuffle: A fresh random order each epoch (`true`) or dataset order.
    ///   - dropLast: Leave out a last, smaller batch.
    ///   - seed: The seed for shuffling and random transforms.
    ///   - transform: Scaling, binarisation, augmentation and label format.
    ///   - prefetch: Batches prepared ahead on a background thread (0 for none).
    public init(_ dataset: ImageDataset, batchSize: Int, shuffle: Bool = true, dropLast: Bool = false,
                seed: UInt64 = 0, transform: LoaderTransform = LoaderTransform(), prefetch: Int = 2) {
        precondition(batchSize > 0, "DataLoader: batchSize \(batchSize) must be positive")
        precondition(prefetch >= 0, "DataLoader: prefetch \(prefetch) is negative")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.transform = transform
        self.prefetch = prefetch
        self.assembler = BatchAssembler(dataset: dataset, transform: transform, seed: seed)
    }

    /// Batches in one epoch: `count / batchSize`, rounded up unless ``dropLast``.
    public var batchesPerEpoch: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The order in which epoch `epoch` visits the samples.
    ///
    /// - Parameter epoch: The epoch number (0 or more).
    /// - Returns: A permutation of `0..<dataset.count` (the identity without shuffling).
    public func order(epoch: Int) -> [Int] {
        precondition(epoch >= 0, "DataLoader.order: epoch \(epoch) is negative")
        var order = Array(0..<dataset.count)
        if shuffle { RandomGenerator.derived(seed: seed, UInt64(epoch)).shuffle(&order) }
        return order
    }

    /// Batch `index` of epoch `epoch`, prepared now on the calling thread.
    ///
    /// - Parameters:
    ///   - index: The batch number, in `0..<batchesPerEpoch`.
    ///   - epoch: The epoch number.
    /// - Returns: The same batch the epoch's iteration yields at that position.
    public func batch(_ index: Int, epoch: Int) -> Batch {
        precondition((0..<batchesPerEpoch).contains(index),
                     "DataLoader.batch: index \(index) outside 0..<\(batchesPerEpoch)")
        return assembler.make(slice(order(epoch: epoch), index), epoch: epoch, number: index)
    }

    /// The batches of one epoch, as a sequence.
    ///
    /// - Parameter n: The epoch number (0 or more).
    /// - Returns: A sequence of ``batchesPerEpoch`` batches.
    public func epoch(_ n: Int) -> Epoch {
        precondition(n >= 0, "DataLoader.epoch: epoch \(n) is negative")
        return Epoch(loader: self, number: n)
    }

    /// Starts the next epoch (0 for the first iteration of this loader, then 1, 2, …).
    public func makeIterator() -> BatchIterator {
        lock.lock()
        let n = nextEpoch
        nextEpoch += 1
        lock.unlock()
        return BatchIterator(loader: self, epoch: n)
    }

    public var underestimatedCount: Int { batchesPerEpoch }

    /// How many prefetch threads are running in the process (a diagnostic: it falls back to
    /// zero shortly after every epoch has ended or its iterator has been dropped).
    public static var runningPrefetchThreads: Int { PrefetchThreads.count }

    fileprivate func slice(_ order: [Int], _ index: Int) -> ArraySlice<Int> {
        order[index * batchSize ..< Swift.min(order.count, (index + 1) * batchSize)]
    }

    /// One epoch of a loader, as a sequence of batches.
    public struct Epoch: Sequence {
        /// The loader.
        public let loader: DataLoader
        /// The epoch number.
        public let number: Int

        public func makeIterator() -> BatchIterator { BatchIterator(loader: loader, epoch: number) }
        public var underestimatedCount: Int { loader.batchesPerEpoch }
    }

    /// Yields the batches of one epoch, prepared ahead on a background thread when the
    /// loader's ``prefetch`` is positive. Dropping it stops that thread.
    public final class BatchIterator: IteratorProtocol {
        /// The epoch this iterator walks.
        public let epoch: Int
        private let loader: DataLoader
        private let order: [Int]
        private var nextIndex = 0
        private let queue: PrefetchQueue<Batch>?

        init(loader: DataLoader, epoch: Int) {
            self.loader = loader
            self.epoch = epoch
            self.order = loader.order(epoch: epoch)
            guard loader.prefetch > 0, loader.batchesPerEpoch > 0 else {
                queue = nil
                return
            }
            let queue = PrefetchQueue<Batch>(capacity: loader.prefetch)
            self.queue = queue
            let (assembler, order, count) = (loader.assembler, order, loader.batchesPerEpoch)
            let batchSize = loader.batchSize
            PrefetchThreads.start(name: "mirage.DataLoader.prefetch") {
                for b in 0..<count {
                    if queue.isClosed { return }
                    let indices = order[b * batchSize ..< Swift.min(order.count, (b + 1) * batchSize)]
                    if !queue.put(assembler.make(indices, epoch: epoch, number: b)) { return }
                }
                queue.finish()
            }
        }

        deinit { queue?.close() }

        public func next() -> Batch? {
            guard nextIndex < loader.batchesPerEpoch else { return nil }
            defer { nextIndex += 1 }
            if let queue { return queue.take() }
            return loader.assembler.make(loader.slice(order, nextIndex), epoch: epoch, number: nextIndex)
        }
    }
}
