import Foundation
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct AutogradTests {
    @Test func backwardAccumulatesIntoLeaves() {
        let x = Tensor([1, 2, 3]).requiringGrad()
        (x * x).sum().backward()
        #expect(x.grad!.scalars == [2, 4, 6])
        (x * 3).sum().backward()
        #expect(x.grad!.scalars == [5, 7, 9])
        x.grad = nil
        #expect(x.grad == nil)
    }

    @Test func sharedSubexpressionsAddTheirContributions() {
        let x = Tensor([2]).requiringGrad()
        let y = x * x
        let z = y * y + y   // x⁴ + x², derivative 4x³ + 2x = 36
        z.sum().backward()
        #expect(x.grad!.scalars == [36])
    }

    @Test func detachAndNoGradStopRecording() {
        let x = Tensor([1, 2]).requiringGrad()
        #expect(!(x.detached() * 2).requiresGrad)
        #expect(!withNoGrad { x * 2 }.requiresGrad)
        #expect((x * 2).requiresGrad)
        let y = x * x.detached()
        y.sum().backward()
        #expect(x.grad!.scalars == [1, 2])
    }

    @Test func gradientsLeaveGradUntouchedAndGiveZerosForUnusedInputs() {
        let a = Tensor([1, 2]).requiringGrad(), b = Tensor([3]).requiringGrad()
        let g = gradients(of: (a * a).sum(), wrt: [a, b])
        #expect(g[0].scalars == [2, 4])
        #expect(g[1].scalars == [0])
        #expect(a.grad == nil)
    }

    @Test func higherOrderDerivatives() {
        // f(x) = x³: f' = 3x², f'' = 6x, f''' = 6.
        let x = Tensor([2]).requiringGrad()
        let d1 = gradients(of: x.pow(3).sum(), wrt: [x], createGraph: true)[0]
        let d2 = gradients(of: d1.sum(), wrt: [x], createGraph: true)[0]
        let d3 = gradients(of: d2.sum(), wrt: [x])[0]
        #expect(d1.scalars == [12])
        #expect(d2.scalars == [12])
        #expect(d3.scalars == [6])
        // Through a saved output: σ'' = σ(1−σ)(1−2σ).
        let s = Tensor([0.3]).requiringGrad()
        let ds = gradients(of: s.sigmoid().sum(), wrt: [s], createGraph: true)[0]
        let dds = gradients(of: ds.sum(), wrt: [s])[0]
        let sig: Float = 1 / (1 + Float(0.74081822))
        #expect(Swift.abs(dds.item - sig * (1 - sig) * (1 - 2 * sig)) < 1e-6)
    }

    @Test func gradientWithRespectToAnIntermediate() {
        let x = Tensor([1, 2]).requiringGrad()
        let h = x * 3
        let g = gradients(of: (h * h).sum(), wrt: [h])[0]
        #expect(g.scalars == [6, 12])
    }

    /// The graph holds what the derivative rules read and nothing else: a sum, a concatenation or
    /// a ReLU must not keep its input alive (at 256×256 each such copy is megabytes per layer).
    @Test func graphKeepsOnlyWhatDerivativeRulesRead() {
        let w = Tensor([1, -2, 3, -4]).requiringGrad()
        weak var summand: TensorStorage?, concatenated: TensorStorage?, rectified: TensorStorage?
        func build() -> Tensor {
            let a = w * 2, b = w * 3, c = w * 5
            summand = a.storage
            concatenated = b.storage
            rectified = c.storage
            let sum = a + Tensor([1, 1, 1, 1])
            let joined = Tensor.concat([b, Tensor([0, 0])])
            return sum.sum() + joined.sum() + c.relu().sum()
        }
        let loss = build()
        #expect(summand == nil, "add kept its operand")
        #expect(concatenated == nil, "concat kept its input")
        #expect(rectified == nil, "relu kept its input")
        loss.backward()
        // d/dw: 2 (sum) + 3 (concat) + 5 where 5w > 0 (relu).
        #expect(w.grad!.scalars == [10, 5, 10, 5])
    }

    @Test func deepGraphsDoNotOverflowTheStack() {
        let x = Tensor([1]).requiringGrad()
        var y = x
        for _ in 0..<20_000 { y = y + 0.001 }
        y.sum().backward()
        #expect(x.grad!.scalars == [1])
    }

    @Test func noGradIsPerThread() {
        withNoGrad {
            final class Box: @unchecked Sendable { var recorded = false }
            let box = Box()
            let thread = Thread { box.recorded = (Tensor([1]).requiringGrad() * 2).requiresGrad }
            thread.start()
            while !thread.isFinished { usleep(1000) }
            #expect(!GradMode.isEnabled)
            #expect(box.recorded)
        }
    }
}

/// The checker itself: a derivative that is wrong by a factor of two must be caught, and a right
/// one must pass.
@Suite struct GradCheckSelfTests {
    @Test func catchesAWrongFirstDerivative() throws {
        // x·stop(x) has value x² but analytic gradient x: half the true 2x.
        let mismatch = try #require(GradCheck.firstMismatch([GradCheck.input([4], seed: 1)]) { $0[0] * $0[0].detached() })
        #expect(Swift.abs(mismatch.numeric - 2 * mismatch.analytic) < 1e-2 * Swift.abs(mismatch.numeric))
        #expect(GradCheck.firstMismatch([GradCheck.input([4], seed: 1)]) { $0[0] * $0[0] } == nil)
    }

    /// A NaN compares false with everything, so a check written as `|a − n| > tol` passes a NaN
    /// gradient; the checker must report it instead, on either side.
    @Test func catchesANaNDerivative() throws {
        // x + 0·√(x − stop(x)) has value x and true derivative 1, but the analytic chain goes through
        // √ at 0: its backward 0·0.5/√0 is 0/0 = NaN, and x's gradient r + NaN is NaN.
        let nanAnalytic = try #require(GradCheck.firstMismatch([GradCheck.input([4], seed: 3)]) { x in
            x[0] + (x[0] - x[0].detached()).sqrt() * 0
        })
        #expect(nanAnalytic.analytic.isNaN)
        #expect(nanAnalytic.numeric.isFinite)
        // A value that is NaN makes the central difference NaN while the analytic gradient is fine.
        let nanNumeric = try #require(GradCheck.firstMismatch([GradCheck.input([4], seed: 3)]) { x in
            x[0] + Tensor.full([4], .nan)
        })
        #expect(nanNumeric.numeric.isNaN)
        #expect(nanNumeric.analytic.isFinite)
        // And through the second-order path, which a gradient penalty takes.
        #expect(GradCheck.firstSecondOrderMismatch([GradCheck.input([4], seed: 3)]) { x in
            x[0] * x[0] + (x[0] - x[0].detached()).sqrt() * 0
        } != nil)
    }

    @Test func catchesAWrongSecondDerivative() throws {
        // x·stop(x) + (x − stop(x))·stop(x) has value x² and first derivative 2x, right, but every
        // factor of that derivative is detached: its own derivative is lost (0 instead of 2).
        let squareWithConstantGradient: ([Tensor]) -> Tensor = { x in
            x[0] * x[0].detached() + (x[0] - x[0].detached()) * x[0].detached()
        }
        #expect(GradCheck.firstMismatch([GradCheck.input([4], seed: 2)], squareWithConstantGradient) == nil)
        #expect(GradCheck.firstSecondOrderMismatch([GradCheck.input([4], seed: 2)], squareWithConstantGradient) != nil)
        #expect(GradCheck.firstSecondOrderMismatch([GradCheck.input([4], seed: 2)]) { x in x[0] * x[0] * x[0] } == nil)
    }
}
