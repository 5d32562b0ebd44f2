/// Comparisons give 1 where true and 0 where false, with no gradient; `where` and `clamped`
/// route gradients by such masks.
extension Tensor {
    private static func compare(_ a: Tensor, _ b: Tensor, _ op: String, _ f: BinaryFunction) -> Tensor {
        let shape = broadcastShapes(a.shape, b.shape, op: op)
        return Tensor(storage: broadcastKernel(a, b, outShape: shape, f), shape: shape)
    }

    public static func .> (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "greater", .greater) }
    public static func .< (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "less", .less) }
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "greaterEqual", .greaterEqual) }
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "lessEqual", .lessEqual) }
    public static func .== (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "equal", .equal) }
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { compare(a, b, "notEqual", .notEqual) }
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    public static func .!= (a: Tensor, b: Float) -> Tensor { a .!= Tensor(b) }

    /// Picks `a` where `condition` is non-zero and `b` elsewhere, broadcasting all three.
    ///
    /// Gradients flow to `a` where the condition holds and to `b` elsewhere; unlike
    /// `c·a + (1−c)·b`, an infinite value in the branch not taken does not poison the result.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let shape = broadcastShapes(broadcastShapes(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let c = condition.expanded(to: shape).detached(), ea = a.expanded(to: shape).detached(),
            eb = b.expanded(to: shape).detached()
        let out = selectKernel(c.storage, ea.storage, eb.storage)
        let (na, nb) = (a.requiresGrad, b.requiresGrad), (sa, sb) = (a.shape, b.shape)
        return record("where", out, shape: shape, inputs: [a, b]) { g, _ in
            let zero = Tensor(0)
            return [na ? Tensor.where(condition, g, zero).sum(toShape: sa) : nil,
                    nb ? Tensor.where(condition, zero, g).sum(toShape: sb) : nil]
        }
    }

    /// Limits every element to [`min`, `max`]. The gradient passes where the input lies inside
    /// the interval (bounds included) and is zero outside.
    public func clamped(min low: Float = -.infinity, max high: Float = .infinity) -> Tensor {
        shapeCheck(low <= high, "clamped: min \(low) is greater than max \(high)")
        let out = mapKernel(storage, .clamp(low: low, high: high))
        return Tensor.record("clamp", out, shape: shape, inputs: [self]) { g, _ in
            let inside = Tensor(storage: mapKernel(self.storage, .insideMask(low: low, high: high)), shape: self.shape)
            return [g * inside]
        }
    }

    /// Element-wise maximum of two tensors (gradient to the larger; ties go to `a`).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.where(a .>= b, a, b) }

    /// Element-wise minimum of two tensors (gradient to the smaller; ties go to `a`).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor { Tensor.where(a .<= b, a, b) }
}
