import MirageTensor

extension Gaussian {
    /// Fits a ``Gaussian`` to samples that arrive in chunks, in memory that does not grow with
    /// their number: the running count, mean and centred scatter matrix, each chunk merged in by
    /// Chan et al.'s pairwise update (no sum of squares that cancels catastrophically).
    ///
    /// ```swift
    /// var fit = Gaussian.Accumulator(dimension: 128)
    /// for chunk in chunks { fit.add(judge.evaluate(chunk).features) }
    /// let g = fit.gaussian                               // equals Gaussian(fitting: all features)
    /// ```
    ///
    /// - SeeAlso: Chan, Golub & LeVeque, "Updating Formulae and a Pairwise Algorithm for Computing
    ///   Sample Variances", 1979.
    public struct Accumulator: Sendable {
        /// Samples added so far.
        public private(set) var count = 0
        /// Their mean.
        public private(set) var mean: [Double]
        /// Σ (x − mean)(x − mean)ᵀ over them, row-major d×d.
        private var scatter: [Double]

        /// An empty accumulator for samples of `dimension` features.
        public init(dimension: Int) {
            precondition(dimension >= 1, "Gaussian.Accumulator: dimension \(dimension) is not positive")
            mean = [Double](repeating: 0, count: dimension)
            scatter = [Double](repeating: 0, count: dimension * dimension)
        }

        /// The number of features d.
        public var dimension: Int { mean.count }

        /// Adds a chunk of samples.
        ///
        /// - Parameter samples: `[N, d]`, N ≥ 1 (N = 0 is allowed and changes nothing).
        public mutating func add(_ samples: Tensor) {
            let d = dimension
            precondition(samples.rank == 2 && samples.shape[1] == d,
                         "Gaussian.Accumulator: expected samples [N, \(d)], got shape \(samples.shape)")
            let n = samples.shape[0]
            guard n > 0 else { return }
            var chunkMean = [Double](repeating: 0, count: d)
            // Feature-major, centred copy: each scatter entry is then one contiguous dot product.
            var centred = [Double](repeating: 0, count: n * d)
            samples.withUnsafeBufferPointer { x in
                for i in 0..<n { for j in 0..<d { chunkMean[j] += Double(x[i * d + j]) } }
                for j in 0..<d { chunkMean[j] /= Double(n) }
                for i in 0..<n { for j in 0..<d { centred[j * n + i] = Double(x[i * d + j]) - chunkMean[j] } }
            }
            let (before, total) = (Double(count), Double(count + n))
            let weight = before * Double(n) / total
            let delta = (0..<d).map { chunkMean[$0] - mean[$0] }
            centred.withUnsafeBufferPointer { c in
                for a in 0..<d {
                    for b in a..<d {
                        var s = 0.0
                        let pa = c.baseAddress! + a * n, pb = c.baseAddress! + b * n
                        for i in 0..<n { s += pa[i] * pb[i] }
                        s += delta[a] * delta[b] * weight
                        scatter[a * d + b] += s
                        if a != b { scatter[b * d + a] += s }
                    }
                }
            }
            for j in 0..<d { mean[j] = count == 0 ? chunkMean[j] : mean[j] + delta[j] * Double(n) / total }
            count += n
        }

        /// The Gaussian of everything added: the mean and the unbiased covariance (divided by
        /// N − 1, like `numpy.cov(x, rowvar=False)`). Needs N ≥ 2.
        public var gaussian: Gaussian {
            precondition(count >= 2, "Gaussian.Accumulator: a covariance needs at least 2 samples, got \(count)")
            let d = dimension
            var covariance = Matrix(zeros: d, d)
            for a in 0..<d { for b in 0..<d { covariance[a, b] = scatter[a * d + b] / Double(count - 1) } }
            return Gaussian(mean: mean, covariance: covariance)
        }
    }
}
