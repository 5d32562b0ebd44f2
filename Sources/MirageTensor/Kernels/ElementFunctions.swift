import CMirageKernels

/// The element functions of Mirage's element-wise ops: each names one of the C kernels'
/// functions (CMirageKernels, compiled per instruction set and chosen at run time) and carries
/// its parameters. The math itself, including the branch-free `exp`, `tanh`, `sigmoid` and
/// `softplus` that vectorise, lives in Sources/CMirageKernels/KernelBodies.h.

/// A function of one float, applied by ``mapKernel(_:_:)``.
struct UnaryFunction {
    let function: MirageUnaryFunction
    var a: Float = 0, b: Float = 0

    static let negate = UnaryFunction(function: .negate)
    static func addScalar(_ s: Float) -> UnaryFunction { UnaryFunction(function: .addScalar, a: s) }
    static func scale(_ s: Float) -> UnaryFunction { UnaryFunction(function: .scale, a: s) }
    /// `s / x`.
    static func scalarDivide(_ s: Float) -> UnaryFunction { UnaryFunction(function: .scalarDivide, a: s) }
    static func clamp(low: Float, high: Float) -> UnaryFunction { UnaryFunction(function: .clamp, a: low, b: high) }
    /// 1 inside [low, high], 0 outside.
    static func insideMask(low: Float, high: Float) -> UnaryFunction {
        UnaryFunction(function: .insideMask, a: low, b: high)
    }
    static let exp = UnaryFunction(function: .exp)
    static let log = UnaryFunction(function: .log)
    static let squareRoot = UnaryFunction(function: .squareRoot)
    static let square = UnaryFunction(function: .square)
    static func power(_ p: Float) -> UnaryFunction { UnaryFunction(function: .power, a: p) }
    static let absolute = UnaryFunction(function: .absolute)
    static let sign = UnaryFunction(function: .sign)
    static let sine = UnaryFunction(function: .sine)
    static let cosine = UnaryFunction(function: .cosine)
    static let tanh = UnaryFunction(function: .tanh)
    static let sigmoid = UnaryFunction(function: .sigmoid)
    static let silu = UnaryFunction(function: .siLU)
    static let relu = UnaryFunction(function: .reLU)
    static func leakyRelu(slope: Float) -> UnaryFunction { UnaryFunction(function: .leakyReLU, a: slope) }
    /// log(1 + eˣ) = max(x, 0) + log1p(e^−|x|), which never overflows.
    static let softplus = UnaryFunction(function: .softplus)
}

/// A function of two floats, applied by ``zipKernel(_:_:_:)`` and ``broadcastKernel(_:_:outShape:_:)``.
struct BinaryFunction {
    let function: MirageBinaryFunction
    var a: Float = 0

    static let add = BinaryFunction(function: .add)
    static let subtract = BinaryFunction(function: .subtract)
    static let multiply = BinaryFunction(function: .multiply)
    static let divide = BinaryFunction(function: .divide)
    // Comparisons give 1 where true and 0 where false.
    static let greater = BinaryFunction(function: .greater)
    static let less = BinaryFunction(function: .less)
    static let greaterEqual = BinaryFunction(function: .greaterEqual)
    static let lessEqual = BinaryFunction(function: .lessEqual)
    static let equal = BinaryFunction(function: .equal)
    static let notEqual = BinaryFunction(function: .notEqual)
    /// The incoming gradient `g` scaled by the slope of a leaky ReLU at `x`: `g` where x > 0,
    /// `g·slope` elsewhere (slope 0: ReLU). Called as (g, x).
    static func leakyReluGradient(slope: Float) -> BinaryFunction { BinaryFunction(function: .leakyReLUGradient, a: slope) }
    /// The incoming gradient times tanh's derivative, from the output: g·(1 − y²). Called as (g, y).
    static let tanhGradient = BinaryFunction(function: .tanhGradient)
    /// The incoming gradient times the sigmoid's derivative, from the output: g·y·(1 − y).
    static let sigmoidGradient = BinaryFunction(function: .sigmoidGradient)
    /// The incoming gradient times SiLU's derivative at x: g·σ(x)·(1 + x·(1 − σ(x))). Called as (g, x).
    static let siluGradient = BinaryFunction(function: .siLUGradient)
}
