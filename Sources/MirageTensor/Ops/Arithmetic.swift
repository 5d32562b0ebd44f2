/// Broadcasting arithmetic. Each operator's derivative reduces the output gradient back to the
/// operand's shape with ``Tensor/sum(toShape:)``.
extension Tensor {
    /// Element-wise sum with NumPy broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShapes(a.shape, b.shape, op: "add")
        let out = broadcastKernel(a, b, outShape: shape, .add)
        // The rule needs only the operands' shapes: capturing the operands would keep their
        // storage alive for as long as the graph (a convolution's output before its bias, say).
        let (na, nb) = (a.requiresGrad, b.requiresGrad), (sa, sb) = (a.shape, b.shape)
        return record("add", out, shape: shape, inputs: [a, b]) { g, _ in
            [na ? g.sum(toShape: sa) : nil, nb ? g.sum(toShape: sb) : nil]
        }
    }

    /// Element-wise difference with NumPy broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShapes(a.shape, b.shape, op: "subtract")
        let out = broadcastKernel(a, b, outShape: shape, .subtract)
        let (na, nb) = (a.requiresGrad, b.requiresGrad), (sa, sb) = (a.shape, b.shape)
        return record("subtract", out, shape: shape, inputs: [a, b]) { g, _ in
            [na ? g.sum(toShape: sa) : nil, nb ? (-g).sum(toShape: sb) : nil]
        }
    }

    /// Element-wise product with NumPy broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShapes(a.shape, b.shape, op: "multiply")
        let out = broadcastKernel(a, b, outShape: shape, .multiply)
        let (na, nb) = (a.requiresGrad, b.requiresGrad)
        return record("multiply", out, shape: shape, inputs: [a, b]) { g, _ in
            [na ? (g * b).sum(toShape: a.shape) : nil, nb ? (g * a).sum(toShape: b.shape) : nil]
        }
    }

    /// Element-wise quotient with NumPy broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let shape = broadcastShapes(a.shape, b.shape, op: "divide")
        let out = broadcastKernel(a, b, outShape: shape, .divide)
        let (na, nb) = (a.requiresGrad, b.requiresGrad)
        return record("divide", out, shape: shape, inputs: [a, b]) { g, _ in
            [na ? (g / b).sum(toShape: a.shape) : nil,
             nb ? (-(g * a) / (b * b)).sum(toShape: b.shape) : nil]
        }
    }

    /// Negation.
    public static prefix func - (x: Tensor) -> Tensor {
        let out = mapKernel(x.storage, .negate)
        return record("negate", out, shape: x.shape, inputs: [x]) { g, _ in [-g] }
    }

    /// Adds a scalar to every element.
    public static func + (x: Tensor, s: Float) -> Tensor {
        let out = mapKernel(x.storage, .addScalar(s))
        return record("add scalar", out, shape: x.shape, inputs: [x]) { g, _ in [g] }
    }

    /// Multiplies every element by a scalar.
    public static func * (x: Tensor, s: Float) -> Tensor {
        let out = mapKernel(x.storage, .scale(s))
        return record("multiply scalar", out, shape: x.shape, inputs: [x]) { g, _ in [g * s] }
    }

    /// Divides a scalar by every element.
    public static func / (s: Float, x: Tensor) -> Tensor {
        let out = mapKernel(x.storage, .scalarDivide(s))
        return record("divide scalar", out, shape: x.shape, inputs: [x]) { g, _ in [-(g * s) / (x * x)] }
    }

    public static func + (s: Float, x: Tensor) -> Tensor { x + s }
    public static func - (x: Tensor, s: Float) -> Tensor { x + (-s) }
    public static func - (s: Float, x: Tensor) -> Tensor { (-x) + s }
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }
    public static func / (x: Tensor, s: Float) -> Tensor { x * (1 / s) }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
}
