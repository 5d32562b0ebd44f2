import MirageTensor

/// Draws that MirageData needs beyond MirageTensor's uniform and normal values, written here
/// (not taken from the standard library) so that a seed gives the same order on every Swift
/// version.
extension RandomGenerator {
    /// A uniform integer in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    ///
    /// ```swift
    /// let g = RandomGenerator(seed: 1)
    /// let die = g.nextIndex(below: 6) + 1
    /// ```
    ///
    /// - Parameter bound: The exclusive upper bound, from 1 to 2^32.
    /// - Returns: A value in `0..<bound`.
    ///
    /// - SeeAlso: Lemire, "Fast Random Integer Generation in an Interval", 2019,
    ///   <https://arxiv.org/abs/1805.10941>
    public func nextIndex(below bound: Int) -> Int {
        precondition(bound > 0 && bound <= 1 << 32, "nextIndex(below:): bound \(bound) is not in 1...2^32")
        let range = UInt64(bound)
        var product = UInt64(nextUInt32()) &* range
        if UInt32(truncatingIfNeeded: product) < UInt32(truncatingIfNeeded: range) {
            let threshold = UInt32(truncatingIfNeeded: ((1 << 32) - range) % range)
            while UInt32(truncatingIfNeeded: product) < threshold {
                product = UInt64(nextUInt32()) &* range
            }
        }
        return Int(product >> 32)
    }

    /// Shuffles `values` in place with the Fisher-Yates algorithm.
    ///
    /// ```swift
    /// var order = Array(0..<10)
    /// RandomGenerator(seed: 3).shuffle(&order)
    /// ```
    ///
    /// - Parameter values: The array to shuffle.
    public func shuffle<T>(_ values: inout [T]) {
        guard values.count > 1 else { return }
        for i in stride(from: values.count - 1, to: 0, by: -1) {
            values.swapAt(i, nextIndex(below: i + 1))
        }
    }

    /// A generator whose seed mixes `seed` with `parts` (an epoch, a batch number), so that
    /// every combination gets its own independent stream.
    ///
    /// - Parameters:
    ///   - seed: The user's seed.
    ///   - parts: Further numbers that select the stream.
    /// - Returns: A fresh generator.
    public static func derived(seed: UInt64, _ parts: UInt64...) -> RandomGenerator {
        var h = splitMix(seed)
        for p in parts { h = splitMix(h ^ splitMix(p &+ 0x9E37_79B9_7F4A_7C15)) }
        return RandomGenerator(seed: h)
    }

    /// SplitMix64's finaliser: a bijective scramble of 64 bits.
    private static func splitMix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
