import MirageTensor

extension ImageDataset {
    /// Stacked MNIST (Metz et al., 2017; VEEGAN; PacGAN): `count` images of three channels, each
    /// channel a digit drawn uniformly at random from this gray dataset, so that the triples of
    /// classes make `classCount³` modes (1,000 for digits), each equally likely.
    ///
    /// A sample's label is its mode, `100·d₀ + 10·d₁ + d₂` for classes d₀, d₁, d₂ of its red,
    /// green and blue channels (in general `(d₀·K + d₁)·K + d₂` for K classes).
    ///
    /// ```swift
    /// let stacked = try ImageDataset.mnist(split: .train).stackedDigits(count: 128_000, seed: 0)
    /// stacked.labels[0]   // 0...999: the classes of its three digits
    /// ```
    ///
    /// - Parameters:
    ///   - count: Number of images.
    ///   - seed: Chooses the digits; the same seed gives the same images.
    /// - Returns: The stacked images, named `<name>-stacked`, with `classCount³` classes.
    public func stackedDigits(count: Int, seed: UInt64) -> ImageDataset {
        precondition(channels == 1 && self.count > 0 && count >= 0,
                     "stackedDigits: needs a non-empty gray dataset and a count ≥ 0, got \(channels) channels, \(self.count) images, count \(count)")
        let plane = height * width, k = classCount
        let rng = RandomGenerator(seed: seed)
        var pixels = [UInt8](repeating: 0, count: count * 3 * plane)
        var labels = [Int](repeating: 0, count: count)
        images.withUnsafeBufferPointer { src in
            pixels.withUnsafeMutableBufferPointer { dst in
                for i in 0..<count {
                    var mode = 0
                    for c in 0..<3 {
                        let j = rng.nextIndex(below: self.count)
                        mode = mode * k + self.labels[j]
                        let to = dst.baseAddress! + (i * 3 + c) * plane
                        to.update(from: src.baseAddress! + j * plane, count: plane)
                    }
                    labels[i] = mode
                }
            }
        }
        return ImageDataset(name: "\(name)-stacked", images: pixels, labels: labels, channels: 3, height: height,
                            width: width, classCount: k * k * k)
    }
}
