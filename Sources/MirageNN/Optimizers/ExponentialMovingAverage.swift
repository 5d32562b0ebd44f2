import MirageTensor

/// An exponential moving average of a module's parameters (buffers are copied as they are):
/// `shadow ← decay·shadow + (1 − decay)·parameter` after each step. Diffusion models and GANs
/// sample from the average, which is smoother than the last iterate.
///
/// ```swift
/// let ema = ExponentialMovingAverage(of: model, decay: 0.999)
/// // after each optimizer step:
/// ema.update(from: model)
/// // to sample:
/// try ema.copy(to: samplingModel)
/// ```
public final class ExponentialMovingAverage {
    public let decay: Float
    /// The averaged state by dotted key.
    public private(set) var shadow: [String: Tensor]

    public init(of module: Module, decay: Float = 0.999) {
        precondition(decay >= 0 && decay <= 1, "ExponentialMovingAverage: decay must be in [0, 1], got \(decay)")
        self.decay = decay
        shadow = Dictionary(uniqueKeysWithValues: module.stateDict().map { ($0.0, $0.1.copy()) })
    }

    /// Moves the average towards `module`'s current parameters and copies its buffers.
    ///
    /// - Parameters:
    ///   - module: The module whose parameters are averaged in and whose buffers are copied.
    ///   - decay: This update's decay instead of ``decay``, for a warm-up that lets an
    ///     early average forget the initial weights faster.
    public func update(from module: Module, decay: Float? = nil) {
        let d = decay ?? self.decay
        precondition(d >= 0 && d <= 1, "ExponentialMovingAverage: decay must be in [0, 1], got \(d)")
        for (key, p) in module.namedParameters() {
            guard let s = shadow[key] else { preconditionFailure("ExponentialMovingAverage: unknown parameter \(key)") }
            Self.blend(s, towards: p, decay: d)
        }
        for (key, b) in module.namedBuffers() { shadow[key]?.assign(b) }
    }

    /// The same update for an average kept as a module of its own, whose checkpoint keys are its
    /// network name's (StyleGAN's `mapping_ema`, which PyTorch loads as a module): `average`'s
    /// parameters move towards `module`'s and its buffers are copied.
    public static func update(_ average: Module, from module: Module, decay: Float) {
        precondition(decay >= 0 && decay <= 1, "ExponentialMovingAverage: decay must be in [0, 1], got \(decay)")
        let current = Dictionary(uniqueKeysWithValues: module.namedParameters())
        for (key, a) in average.namedParameters() {
            guard let p = current[key] else { preconditionFailure("ExponentialMovingAverage: \(key) is not a parameter of the averaged module") }
            blend(a, towards: p, decay: decay)
        }
        let buffers = Dictionary(uniqueKeysWithValues: module.namedBuffers())
        for (key, b) in average.namedBuffers() { buffers[key].map { b.assign($0) } }
    }

    /// average ← decay·average + (1 − decay)·current, in place and outside any graph.
    private static func blend(_ average: Tensor, towards current: Tensor, decay d: Float) {
        precondition(average.count == current.count, "ExponentialMovingAverage: \(average.shape) and \(current.shape) differ")
        let a = average.storage.data, c = current.storage.data
        for i in 0..<average.count { a[i] = d * a[i] + (1 - d) * c[i] }
    }

    /// The decay for update number `n` (counting from 1) under the warm-up the DDPM and the flows
    /// use, `min(decay, (1 + n)/(10 + n))`: an early average forgets the initial weights faster,
    /// so a short run's average is not held at them.
    public func warmedUpDecay(update n: Int) -> Float {
        min(decay, Float(1 + n) / Float(10 + n))
    }

    /// Replaces the average with a saved one (``shadow`` as a checkpoint stored it), so that a
    /// resumed run continues the same average.
    ///
    /// - Throws: ``StateDictError`` when a key is missing or unexpected or a shape differs.
    public func load(_ saved: [String: Tensor]) throws {
        let missing = shadow.keys.filter { saved[$0] == nil }.sorted()
        let unexpected = saved.keys.filter { shadow[$0] == nil }.sorted()
        let mismatched = shadow.compactMap { key, value -> (String, [Int], [Int])? in
            guard let s = saved[key], s.shape != value.shape else { return nil }
            return (key, value.shape, s.shape)
        }
        guard missing.isEmpty, unexpected.isEmpty, mismatched.isEmpty else {
            throw StateDictError(missing: missing, unexpected: unexpected, mismatched: mismatched)
        }
        shadow = saved.mapValues { $0.copy() }
    }

    /// The average as a model's checkpoint state: ``shadow`` with every key under `prefix`.
    public func state(prefix: String = "ema.") -> [String: Tensor] {
        Dictionary(uniqueKeysWithValues: shadow.map { (prefix + $0.key, $0.value) })
    }

    /// Restores the average from a model's checkpoint state, the tensors under `prefix` (as
    /// ``state(prefix:)`` stored them); other keys are left alone.
    ///
    /// - Throws: ``StateDictError`` when a key is missing or unexpected or a shape differs.
    public func restore(from state: [String: Tensor], prefix: String = "ema.") throws {
        try load(Dictionary(uniqueKeysWithValues: state.compactMap { key, value in
            key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), value) : nil
        }))
    }

    /// Restarts the average at `module`'s current state, as if it had just been built from it:
    /// for weights that arrive from elsewhere (an imported state dict) rather than by training.
    ///
    /// - Throws: ``StateDictError`` when `module`'s keys or shapes are not the average's.
    public func reset(to module: Module) throws {
        try load(Dictionary(uniqueKeysWithValues: module.stateDict().map { ($0.0, $0.1) }))
    }

    /// Loads the averaged state into `module` (of the same architecture).
    public func copy(to module: Module) throws { try module.loadStateDict(shadow) }
}
