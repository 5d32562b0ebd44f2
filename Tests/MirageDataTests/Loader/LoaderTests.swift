import Foundation
import MirageData
import MirageTensor
import Testing

// Serialized: droppedIteratorsStopTheirThreads counts the prefetch threads of the whole process.
@Suite(.serialized) struct LoaderTests {
    @Test func sameSeedSameOrderNewOrderEachEpoch() {
        let data = syntheticDataset(count: 100)
        let a = DataLoader(data, batchSize: 10, seed: 7), b = DataLoader(data, batchSize: 10, seed: 7)
        #expect(a.order(epoch: 0) == b.order(epoch: 0))
        #expect(a.order(epoch: 0) != a.order(epoch: 1))
        #expect(a.order(epoch: 0) != DataLoader(data, batchSize: 10, seed: 8).order(epoch: 0))
        #expect(a.order(epoch: 0).sorted() == Array(0..<100))
        #expect(DataLoader(data, batchSize: 10, shuffle: false).order(epoch: 3) == Array(0..<100))
    }

    @Test func iterationWalksSuccessiveEpochs() {
        let loader = DataLoader(syntheticDataset(count: 30), batchSize: 8, seed: 1)
        let first = Array(loader).flatMap(\.indices), second = Array(loader).flatMap(\.indices)
        #expect(first == loader.order(epoch: 0))
        #expect(second == loader.order(epoch: 1))
        #expect(Array(loader.epoch(0)).flatMap(\.indices) == first)
    }

    @Test(arguments: [0, 1, 3])
    func everySampleOncePerEpoch(prefetch: Int) {
        let data = syntheticDataset(count: 103)
        let loader = DataLoader(data, batchSize: 10, seed: 3, prefetch: prefetch)
        let batches = Array(loader.epoch(2))
        #expect(batches.count == 11 && loader.batchesPerEpoch == 11)
        #expect(batches.map(\.count) == [Int](repeating: 10, count: 10) + [3])
        #expect(batches.flatMap(\.indices).sorted() == Array(0..<103))
        // Each batch holds the images and labels of the samples it names.
        for batch in batches {
            #expect(batch.images.shape == [batch.count, 1, 4, 5])
            #expect(batch.labels.scalars == batch.indices.map { Float(data.labels[$0]) })
            let want = batch.indices.flatMap { data.pixels(at: $0).map { Float($0) / 255 } }
            #expect(batch.images.scalars == want)
        }
    }

    @Test func dropLastCounts() {
        let data = syntheticDataset(count: 103)
        let loader = DataLoader(data, batchSize: 10, dropLast: true)
        #expect(loader.batchesPerEpoch == 10)
        let batches = Array(loader)
        #expect(batches.count == 10 && batches.allSatisfy { $0.count == 10 })
        #expect(Set(batches.flatMap(\.indices)).count == 100)
        #expect(DataLoader(syntheticDataset(count: 7), batchSize: 10, dropLast: true).batchesPerEpoch == 0)
        #expect(Array(DataLoader(syntheticDataset(count: 7), batchSize: 10, dropLast: true)).isEmpty)
        #expect(DataLoader(MNIST.train, batchSize: 64).batchesPerEpoch == 938)
    }

    @Test func prefetchedBatchesEqualSynchronousOnes() {
        let transform = LoaderTransform(binarization: .dynamic, cropPadding: 1, horizontalFlip: true)
        let data = syntheticDataset(count: 50)
        let threaded = DataLoader(data, batchSize: 7, seed: 5, transform: transform, prefetch: 2)
        let inline = DataLoader(data, batchSize: 7, seed: 5, transform: transform, prefetch: 0)
        for (x, y) in zip(threaded.epoch(1), inline.epoch(1)) {
            #expect(x.indices == y.indices && x.images.scalars == y.images.scalars)
        }
        #expect(threaded.batch(3, epoch: 1).images.scalars == Array(inline.epoch(1))[3].images.scalars)
    }

    @Test func scalingRanges() {
        let plain = DataLoader(MNIST.test, batchSize: 500, transform: LoaderTransform(scaling: .unit))
        let symmetric = DataLoader(MNIST.test, batchSize: 500, transform: LoaderTransform(scaling: .symmetric))
        let u = plain.batch(0, epoch: 0).images, s = symmetric.batch(0, epoch: 0).images
        #expect(u.min().item == 0 && u.max().item == 1)
        #expect(s.min().item == -1 && s.max().item == 1)
        #expect(zip(u.scalars, s.scalars).allSatisfy { Swift.abs($0 * 2 - 1 - $1) < 1e-6 })
    }

    @Test func binarisation() {
        let data = MNIST.test.subset(Array(0..<2000))
        let mean = Float(data.meanPixel)
        let fixed = DataLoader(data, batchSize: 2000, shuffle: false,
                               transform: LoaderTransform(binarization: .fixed(threshold: 0.5))).batch(0, epoch: 0)
        #expect(Set(fixed.images.scalars) == [0, 1])
        let want = data.images.map { Float($0) / 255 > 0.5 ? Float(1) : 0 }
        #expect(fixed.images.scalars == want)

        let dynamic = DataLoader(data, batchSize: 2000, shuffle: false, seed: 9,
                                 transform: LoaderTransform(binarization: .dynamic))
        let d0 = dynamic.batch(0, epoch: 0).images, d1 = dynamic.batch(0, epoch: 1).images
        #expect(Set(d0.scalars) == [0, 1])
        #expect(Swift.abs(d0.mean().item - mean) < 0.003, "dynamic binarisation mean \(d0.mean().item) vs pixel mean \(mean)")
        #expect(d0.scalars != d1.scalars, "dynamic binarisation must be redrawn every epoch")
        // Black pixels never turn on and white ones never turn off.
        #expect(zip(data.images, d0.scalars).allSatisfy { ($0 == 0 && $1 == 0) || ($0 == 255 && $1 == 1) || ($0 != 0 && $0 != 255) })
        let symmetric = DataLoader(data, batchSize: 100, transform: LoaderTransform(scaling: .symmetric, binarization: .dynamic))
        #expect(Set(symmetric.batch(0, epoch: 0).images.scalars) == [-1, 1])
    }

    @Test func oneHotLabels() {
        let loader = DataLoader(MNIST.test, batchSize: 32, seed: 2, transform: LoaderTransform(oneHotLabels: true))
        let batch = loader.batch(0, epoch: 0)
        #expect(batch.labels.shape == [32, 10])
        let rows = batch.labels.scalars
        for (row, i) in batch.indices.enumerated() {
            let slice = Array(rows[row * 10 ..< row * 10 + 10])
            #expect(slice.reduce(0, +) == 1 && slice[MNIST.test.labels[i]] == 1)
        }
    }

    @Test func flipMirrorsAndCropShifts() {
        // One 1×1×3 image [10, 20, 30]: a flip reverses it; a crop with padding 1 shifts by -1, 0 or 1 with zero fill.
        let data = ImageDataset(name: "row", images: [10, 20, 30], labels: [0], channels: 1, height: 1, width: 3, classCount: 1)
        let scale: (Float) -> Float = { $0 / 255 }
        var flips = Set<[Float]>(), crops = Set<[Float]>()
        let flipper = DataLoader(data, batchSize: 1, transform: LoaderTransform(horizontalFlip: true), prefetch: 0)
        let cropper = DataLoader(data, batchSize: 1, transform: LoaderTransform(cropPadding: 1), prefetch: 0)
        for epoch in 0..<64 {
            flips.insert(flipper.batch(0, epoch: epoch).images.scalars)
            crops.insert(cropper.batch(0, epoch: epoch).images.scalars)
        }
        #expect(flips == [[10, 20, 30].map(scale), [30, 20, 10].map(scale)])
        // Vertical offsets that leave the single row give an all-zero image.
        #expect(crops == [[0, 10, 20].map(scale), [10, 20, 30].map(scale), [20, 30, 0].map(scale), [0, 0, 0]])
    }

    @Test func cropKeepsShapeAndIsSeeded() {
        let data = MNIST.test.subset(Array(0..<64))
        let t = LoaderTransform(scaling: .symmetric, cropPadding: 4, horizontalFlip: true)
        let a = DataLoader(data, batchSize: 64, seed: 1, transform: t).batch(0, epoch: 0)
        let b = DataLoader(data, batchSize: 64, seed: 1, transform: t).batch(0, epoch: 0)
        #expect(a.images.shape == [64, 1, 28, 28])
        #expect(a.images.scalars == b.images.scalars)
        #expect(a.images.min().item == -1 && a.images.max().item == 1)
        let plain = DataLoader(data, batchSize: 64, seed: 1, transform: LoaderTransform(scaling: .symmetric)).batch(0, epoch: 0)
        #expect(a.indices == plain.indices && a.images.scalars != plain.images.scalars)
    }

    @Test func droppedIteratorsStopTheirThreads() async throws {
        let loader = DataLoader(MNIST.test, batchSize: 16, prefetch: 2)
        for _ in 0..<20 {
            let iterator = loader.makeIterator()
            _ = iterator.next()
        }
        for batch in loader.epoch(0) where batch.count > 0 { break }
        // Threads exit asynchronously; wait for them (bounded), without timing anything.
        var waited = 0
        while DataLoader.runningPrefetchThreads > 0 && waited < 500 {
            try await Task.sleep(nanoseconds: 10_000_000)
            waited += 1
        }
        #expect(DataLoader.runningPrefetchThreads == 0)
    }

    @Test func pairedDatasetsStackForJointAugmentation() throws {
        let digits = MNIST.test.subset(Array(0..<20))
        let stacked = try digits.inverted().paired(with: digits).stacked()
        #expect(stacked.channels == 2 && stacked.count == 20 && stacked.labels == digits.labels)
        let batch = DataLoader(stacked, batchSize: 20, transform: LoaderTransform(cropPadding: 3, horizontalFlip: true)).batch(0, epoch: 0)
        let parts = batch.images.split(sizes: [1, 1], axis: 1)
        // Both halves moved together: where the input was padded (0) the target shows padding too.
        let sum = parts[0] + parts[1]
        #expect(sum.scalars.allSatisfy { $0 == 0 || Swift.abs($0 - 1) < 1e-6 })
    }
}
