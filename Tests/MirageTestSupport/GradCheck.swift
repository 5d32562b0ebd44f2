import MirageTensor
import Testing

// Test helpers shared by every Mirage test target.

/// Finite-difference gradient checks.
///
/// Mirage computes in Float32 only, so the checks are built to stay meaningful there:
/// - the scalar objective is `L = Σ f(x)·r` for a fixed random `r`, summed in Double, so that every
///   output element matters and the sum adds no rounding of its own;
/// - central differences with step `eps = 1e-2` have truncation error `eps²·|f'''|/6 ≈ 2e-5` for
///   the smooth ops here, and round-off error `≈ ulp(f)·√n / eps ≈ 6e-8·√n / 1e-2`, under `1e-4` for
///   the few hundred outputs a check uses;
/// - so a difference above `atol = 2e-3` plus `rtol = 1e-2` of the gradient's size is a wrong
///   derivative, not noise. (A wrong derivative is off by O(1): a missing factor 2 or sign.)
public enum GradCheck {
    /// A random tensor with values in ±[`margin`, 1], away from the kinks of relu, abs and clamp
    /// at 0, so that ±eps never crosses one.
    public static func input(_ shape: [Int], seed: UInt64, margin: Float = 0.1) -> Tensor {
        let g = RandomGenerator(seed: seed)
        let values = (0..<shape.reduce(1, *)).map { _ -> Float in
            let m = margin + (1 - margin) * g.nextUniform()
            return g.nextUniform() < 0.5 ? -m : m
        }
        return Tensor(values, shape: shape)
    }

    /// Shuffled values 0.2, 0.25, 0.3, …: 0.05 apart, more than 2·eps, so that ±eps never changes
    /// which element is a maximum; being positive, squaring keeps their order too.
    public static func distinct(_ shape: [Int], seed: UInt64) -> Tensor {
        var values = (0..<shape.reduce(1, *)).map { 0.2 + 0.05 * Float($0) }
        var g = RandomGenerator(seed: seed)
        values.shuffle(using: &g)
        return Tensor(values, shape: shape)
    }

    /// Positive values in [`low`, `high`] (for log, sqrt, division).
    public static func positive(_ shape: [Int], seed: UInt64, low: Float = 0.5, high: Float = 2) -> Tensor {
        Tensor.rand(shape, low: low, high: high, generator: RandomGenerator(seed: seed))
    }

    /// L = Σ f(x)·r, in Double.
    public static func objective(_ y: Tensor, _ r: [Float]) -> Double {
        zip(y.scalars, r).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }

    /// Where an analytic gradient disagrees with central differences.
    public struct Mismatch: CustomStringConvertible, Equatable {
        /// Which input, and which of its elements.
        public var input: Int, element: Int
        public var analytic: Double, numeric: Double
        public var description: String { "input \(input) element \(element): analytic \(analytic), numeric \(numeric)" }
    }

    /// The first element whose gradient of `f` disagrees with central differences, or `nil`.
    /// A gradient that is NaN or infinite, on either side, is a mismatch.
    public static func firstMismatch(_ inputs: [Tensor], eps: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 1e-2,
                                     _ f: ([Tensor]) -> Tensor) -> Mismatch? {
        let leaves = inputs.map { $0.copy().requiringGrad() }
        let y = f(leaves)
        let r = Tensor.randn(y.shape, generator: RandomGenerator(seed: 99)).scalars
        // A result with no graph does not depend on the inputs (relu's second derivative): zero gradient.
        let analytic = y.requiresGrad ? gradients(of: y, wrt: leaves, outputGradient: Tensor(r, shape: y.shape))
                                      : inputs.map { Tensor.zeros($0.shape) }
        for (k, input) in inputs.enumerated() {
            for i in 0..<input.count {
                func value(_ delta: Float) -> Double {
                    var xs = inputs.map { $0.copy() }
                    var v = xs[k].scalars
                    v[i] += delta
                    xs[k] = Tensor(v, shape: input.shape)
                    return objective(withNoGrad { f(xs) }, r)
                }
                let numeric = (value(eps) - value(-eps)) / (2 * Double(eps))
                let a = Double(analytic[k].scalars[i])
                // Written as "not within" so that a NaN on either side is a mismatch (every
                // comparison with NaN is false), and a non-finite value is one even where both sides
                // agree: an infinite or NaN derivative is never what a check here means to pass.
                if !(a.isFinite && numeric.isFinite && Swift.abs(numeric - a) <= atol + rtol * Swift.abs(numeric)) {
                    return Mismatch(input: k, element: i, analytic: a, numeric: numeric)
                }
            }
        }
        return nil
    }

    /// Checks the gradients of `f` with respect to every input against central differences,
    /// recording a test issue at the first mismatch.
    ///
    /// - Returns: The mismatch, or `nil` when every gradient agrees.
    @discardableResult
    public static func check(_ inputs: [Tensor], eps: Float = 1e-2, atol: Double = 2e-3, rtol: Double = 1e-2,
                             sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor) -> Mismatch? {
        let mismatch = firstMismatch(inputs, eps: eps, atol: atol, rtol: rtol, f)
        if let mismatch { Issue.record("\(mismatch)", sourceLocation: sourceLocation) }
        return mismatch
    }

    /// The first mismatch of the second-order check: differentiates `h(x) = Σₖ ⟨∂L/∂xₖ, vₖ⟩`,
    /// computed with `createGraph: true`, and compares with central differences of `h`. This is
    /// exactly the path a gradient penalty takes.
    public static func firstSecondOrderMismatch(_ inputs: [Tensor], eps: Float = 1e-2, atol: Double = 3e-3, rtol: Double = 2e-2,
                                                _ f: @escaping ([Tensor]) -> Tensor) -> Mismatch? {
        let probe = withNoGrad { f(inputs) }
        let r = Tensor.randn(probe.shape, generator: RandomGenerator(seed: 7))
        let vs = inputs.enumerated().map { Tensor.randn($1.shape, generator: RandomGenerator(seed: 100 + UInt64($0))) }
        return firstMismatch(inputs, eps: eps, atol: atol, rtol: rtol) { xs in
            // The finite-difference side evaluates h under withNoGrad; h itself needs a graph.
            withGrad {
                let leaves = xs.map { $0.requiresGrad ? $0 : $0.requiringGrad() }
                let y = f(leaves)
                let gs = gradients(of: y, wrt: leaves, outputGradient: r, createGraph: true)
                return zip(gs, vs).map { ($0 * $1).sum() }.reduce(Tensor(0), +)
            }
        }
    }

    /// Second-order check (see ``firstSecondOrderMismatch(_:eps:atol:rtol:_:)``), recording a test
    /// issue at the first mismatch.
    @discardableResult
    public static func checkSecondOrder(_ inputs: [Tensor], eps: Float = 1e-2, atol: Double = 3e-3, rtol: Double = 2e-2,
                                        sourceLocation: SourceLocation = #_sourceLocation,
                                        _ f: @escaping ([Tensor]) -> Tensor) -> Mismatch? {
        let mismatch = firstSecondOrderMismatch(inputs, eps: eps, atol: atol, rtol: rtol, f)
        if let mismatch { Issue.record("second order: \(mismatch)", sourceLocation: sourceLocation) }
        return mismatch
    }
}

/// Element-wise closeness with a message that shows the first mismatch.
public func expectClose(_ a: Tensor, _ b: [Float], shape: [Int]? = nil, atol: Float = 1e-5, rtol: Float = 1e-5,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    if let shape { #expect(a.shape == shape, sourceLocation: sourceLocation) }
    #expect(a.count == b.count, "\(a.count) elements, expected \(b.count)", sourceLocation: sourceLocation)
    for (i, (x, y)) in zip(a.scalars, b).enumerated() where !(Swift.abs(x - y) <= atol + rtol * Swift.abs(y)) {
        Issue.record("element \(i): \(x), expected \(y)", sourceLocation: sourceLocation)
        return
    }
}
