import Foundation

/// The element functions of Mirage's element-wise ops, one small type each so that the generic
/// kernels of Elementwise.swift inline them (see there). Foundation's transcendental functions
/// are called per element; exp, sigmoid and their kin use ``fastExp(_:)`` and vectorise.

// MARK: Arithmetic

struct Add: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x + y } }
struct Subtract: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x - y } }
struct Multiply: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x * y } }
struct Divide: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x / y } }
struct Negate: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { -x } }
struct AddScalar: ElementFunction {
    let s: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x + s }
}
struct Scale: ElementFunction {
    let s: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * s }
}
/// `s / x`.
struct ScalarDivide: ElementFunction {
    let s: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { s / x }
}

// MARK: Comparisons and selection (1 where true, 0 where false)

struct Greater: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x > y ? 1 : 0 } }
struct Less: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x < y ? 1 : 0 } }
struct GreaterEqual: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x >= y ? 1 : 0 } }
struct LessEqual: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x <= y ? 1 : 0 } }
struct Equal: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x == y ? 1 : 0 } }
struct NotEqual: ElementFunction2 { @inline(__always) func callAsFunction(_ x: Float, _ y: Float) -> Float { x != y ? 1 : 0 } }
/// `y` where `c` is non-zero, else `z`.
struct Select: ElementFunction3 {
    @inline(__always) func callAsFunction(_ c: Float, _ y: Float, _ z: Float) -> Float { c != 0 ? y : z }
}
struct Clamp: ElementFunction {
    let low: Float, high: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.min(Swift.max(x, low), high) }
}
/// 1 inside [low, high], 0 outside.
struct InsideMask: ElementFunction {
    let low: Float, high: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x >= low && x <= high ? 1 : 0 }
}

// MARK: Unary math

struct Exp: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { fastExp(x) } }
struct Log: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.log(x) } }
struct SquareRoot: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x.squareRoot() } }
struct Square: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x * x } }
struct Power: ElementFunction {
    let p: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.pow(x, p) }
}
struct Absolute: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.abs(x) } }
struct Sign: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) } }
struct Sine: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.sin(x) } }
struct Cosine: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Foundation.cos(x) } }

/// tanh x = (1 − e^{−2|x|})/(1 + e^{−2|x|}) with the sign of x, which never overflows.
struct HyperbolicTangent: ElementFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        // Near 0, 1 − e cancels; the Taylor series to x⁷ is exact to 1e-9 below |x| = 0.1.
        let e = fastExp(-2 * Swift.abs(x))
        let t = (1 - e) / (1 + e)
        let x2 = x * x
        let small = x * (1 + x2 * (-1 / 3 + x2 * (2 / 15 + x2 * (-17 / 315))))
        return Swift.abs(x) < 0.1 ? small : (x < 0 ? -t : t)
    }
}

/// σ(x) = 1/(1 + e^−x), from e^−|x| so that it never overflows.
struct Sigmoid: ElementFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        let e = fastExp(-Swift.abs(x))
        return x >= 0 ? 1 / (1 + e) : e / (1 + e)
    }
}

/// x·σ(x).
struct SiLU: ElementFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x * Sigmoid()(x) }
}

/// The derivative of SiLU times the incoming gradient: g·σ(x)·(1 + x·(1 − σ(x))).
struct SiLUGradient: ElementFunction2 {
    @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float {
        let s = Sigmoid()(x)
        return g * s * (1 + x * (1 - s))
    }
}

struct ReLU: ElementFunction { @inline(__always) func callAsFunction(_ x: Float) -> Float { Swift.max(x, 0) } }
struct LeakyReLU: ElementFunction {
    let slope: Float
    @inline(__always) func callAsFunction(_ x: Float) -> Float { x > 0 ? x : x * slope }
}
/// The incoming gradient scaled by the slope of a leaky ReLU at `x`: `g` where x > 0, `g·slope`
/// elsewhere (slope 0: ReLU).
struct LeakyReLUGradient: ElementFunction2 {
    let slope: Float
    @inline(__always) func callAsFunction(_ g: Float, _ x: Float) -> Float { x > 0 ? g : g * slope }
}
/// The incoming gradient times tanh's derivative, from the output: g·(1 − y²).
struct TanhGradient: ElementFunction2 {
    @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * (1 - y * y) }
}
/// The incoming gradient times the sigmoid's derivative, from the output: g·y·(1 − y).
struct SigmoidGradient: ElementFunction2 {
    @inline(__always) func callAsFunction(_ g: Float, _ y: Float) -> Float { g * y * (1 - y) }
}

/// log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), which never overflows.
struct Softplus: ElementFunction {
    @inline(__always) func callAsFunction(_ x: Float) -> Float {
        Swift.max(x, 0) + fastLog1pUnit(fastExp(-Swift.abs(x)))
    }
}
