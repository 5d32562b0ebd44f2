#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A seeded PCG32 random number generator (O'Neill 2014, XSH-RR output on a 64-bit LCG).
///
/// The same seed gives the same sequence on every run and machine: Mirage's `rand`, `randn`,
/// shuffles, dropout masks and initialisers all draw from a generator like this one. The state is
/// two integers (``state``), so checkpoints can store and restore it exactly.
///
/// ```swift
/// let g = RandomGenerator(seed: 42)
/// let noise = Tensor.randn([64, 100], generator: g)
/// ```
///
/// - SeeAlso: <https://www.pcg-random.org/paper.html>
public final class RandomGenerator: RandomNumberGenerator {
    private var s: UInt64
    private var inc: UInt64
    /// A spare standard normal from the last Box–Muller pair.
    private var spareNormal: Float?

    /// Creates a generator from a seed and an optional stream (different streams give
    /// independent sequences for the same seed).
    public init(seed: UInt64, stream: UInt64 = 0x5851_F42D_4C95_7F2D) {
        s = 0
        inc = (stream << 1) | 1
        _ = nextUInt32()
        s &+= seed
        _ = nextUInt32()
    }

    /// The default generator of the calling thread (layer initialisers and `Tensor.rand` use it
    /// when given none), seeded with 0 on each thread's first use. One per thread, so that code
    /// on several threads (tests run in parallel, a data-loading thread) neither races on one
    /// generator nor makes another thread's numbers depend on its timing. Reseed it with
    /// ``manualSeed(_:)``.
    public static var global: RandomGenerator {
        get {
            if let p = pthread_getspecific(threadKey) { return Unmanaged<RandomGenerator>.fromOpaque(p).takeUnretainedValue() }
            let g = RandomGenerator(seed: 0)
            pthread_setspecific(threadKey, Unmanaged.passRetained(g).toOpaque())
            return g
        }
        set {
            if let p = pthread_getspecific(threadKey) { Unmanaged<RandomGenerator>.fromOpaque(p).release() }
            pthread_setspecific(threadKey, Unmanaged.passRetained(newValue).toOpaque())
        }
    }

    private static let threadKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key) { p in if let p { Unmanaged<RandomGenerator>.fromOpaque(p).release() } }
        return key
    }()

    /// Reseeds the calling thread's default generator, like `torch.manual_seed`.
    public static func manualSeed(_ seed: UInt64) { global = RandomGenerator(seed: seed) }

    /// The full generator state, for checkpoints: `[state, increment, spare normal bits or 0, has spare]`.
    public var state: [UInt64] {
        get { [s, inc, UInt64(spareNormal?.bitPattern ?? 0), spareNormal == nil ? 0 : 1] }
        set {
            precondition(newValue.count == 4, "RandomGenerator.state: expected 4 words, got \(newValue.count)")
            s = newValue[0]; inc = newValue[1] | 1
            spareNormal = newValue[3] == 0 ? nil : Float(bitPattern: UInt32(truncatingIfNeeded: newValue[2]))
        }
    }

    /// The next 32 random bits.
    @inline(__always)
    public func nextUInt32() -> UInt32 {
        let old = s
        s = old &* 6_364_136_223_846_793_005 &+ inc
        let xorshifted = UInt32(truncatingIfNeeded: ((old >> 18) ^ old) >> 27)
        let rot = UInt32(truncatingIfNeeded: old >> 59)
        return (xorshifted >> rot) | (xorshifted << ((~rot &+ 1) & 31))
    }

    /// The next 64 random bits (two 32-bit outputs).
    public func next() -> UInt64 {
        UInt64(nextUInt32()) << 32 | UInt64(nextUInt32())
    }

    /// A uniform value in [0, 1) with 24 random bits.
    @inline(__always)
    public func nextUniform() -> Float {
        Float(nextUInt32() >> 8) * 0x1p-24
    }

    /// A standard normal value (Box–Muller; the pair's second value is kept for the next call).
    public func nextNormal() -> Float {
        if let z = spareNormal {
            spareNormal = nil
            return z
        }
        // 1 - u lies in (0, 1], so the logarithm is finite.
        let u1 = 1 - Double(nextUInt32() >> 8) * 0x1p-24
        let u2 = Double(nextUInt32() >> 8) * 0x1p-24
        let r = (-2 * _log(u1)).squareRoot()
        let theta = 2 * Double.pi * u2
        spareNormal = Float(r * _sin(theta))
        return Float(r * _cos(theta))
    }
}

@inline(__always) private func _log(_ x: Double) -> Double { log(x) }
@inline(__always) private func _sin(_ x: Double) -> Double { sin(x) }
@inline(__always) private func _cos(_ x: Double) -> Double { cos(x) }
