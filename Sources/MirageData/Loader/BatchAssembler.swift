import MirageTensor

/// Builds one batch from dataset bytes: gathers the samples, applies the transform, writes
/// the tensors' storage directly. A value, so that a prefetch thread can own a copy.
struct BatchAssembler: Sendable {
    let dataset: ImageDataset
    let transform: LoaderTransform
    let seed: UInt64
    let table: [Float]

    init(dataset: ImageDataset, transform: LoaderTransform, seed: UInt64) {
        precondition(transform.cropPadding <= 4096, "LoaderTransform: cropPadding \(transform.cropPadding) is implausibly large")
        self.dataset = dataset
        self.transform = transform
        self.seed = seed
        self.table = transform.lookupTable
    }

    /// The batch of `indices`, batch number `number` of `epoch`.
    func make(_ indices: ArraySlice<Int>, epoch: Int, number: Int) -> Batch {
        let b = indices.count, size = dataset.sampleSize
        let (c, h, w) = (dataset.channels, dataset.height, dataset.width)
        let storage = TensorStorage(count: b * size)
        let random = transform.isRandom
            ? RandomGenerator.derived(seed: seed, UInt64(epoch), UInt64(number), 0xA0_6E47) : nil
        let (black, white) = transform.blackAndWhite
        let pad = transform.cropPadding
        dataset.images.withUnsafeBufferPointer { all in
            table.withUnsafeBufferPointer { lut in
                for (row, index) in indices.enumerated() {
                    let src = all.baseAddress! + index * size, dst = storage.data + row * size
                    guard let g = random else {
                        for k in 0..<size { dst[k] = lut[Int(src[k])] }
                        continue
                    }
                    // Offsets into the zero-padded image; (pad, pad) is the uncropped position.
                    let oy = pad > 0 ? g.nextIndex(below: 2 * pad + 1) - pad : 0
                    let ox = pad > 0 ? g.nextIndex(below: 2 * pad + 1) - pad : 0
                    let flip = transform.horizontalFlip && g.nextUniform() < 0.5
                    let dynamic = transform.binarization == .dynamic
                    for ch in 0..<c {
                        for y in 0..<h {
                            let sy = y + oy
                            let out = dst + (ch * h + y) * w
                            for x in 0..<w {
                                let sx = (flip ? w - 1 - x : x) + ox
                                let v: UInt8 = (0..<h).contains(sy) && (0..<w).contains(sx)
                                    ? src[(ch * h + sy) * w + sx] : 0
                                if dynamic {
                                    out[x] = g.nextUniform() < Float(v) * (1 / 255) ? white : black
                                } else {
                                    out[x] = lut[Int(v)]
                                }
                            }
                        }
                    }
                }
            }
        }
        let images = Tensor(storage: storage, shape: [b, c, h, w])
        return Batch(images: images, labels: labels(indices), indices: Array(indices))
    }

    private func labels(_ indices: ArraySlice<Int>) -> Tensor {
        let b = indices.count
        if transform.oneHotLabels {
            return Tensor.oneHot(indices.map { dataset.labels[$0] }, classes: dataset.classCount)
        }
        let storage = TensorStorage(count: b)
        for (row, i) in indices.enumerated() { storage.data[row] = Float(dataset.labels[i]) }
        return Tensor(storage: storage, shape: [b])
    }
}
