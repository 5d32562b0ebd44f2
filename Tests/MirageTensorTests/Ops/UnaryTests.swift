import Foundation
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct UnaryTests {
    typealias Op = (String, (Tensor) -> Tensor, (Float) -> Float, Bool)
    // (name, op, reference, needs positive input)
    static let ops: [Op] = [
        ("exp", { $0.exp() }, { Foundation.exp($0) }, false),
        ("log", { $0.log() }, { Foundation.log($0) }, true),
        ("sqrt", { $0.sqrt() }, { $0.squareRoot() }, true),
        ("pow2", { $0.pow(2) }, { $0 * $0 }, false),
        ("pow1.5", { $0.pow(1.5) }, { Foundation.pow($0, 1.5) }, true),
        ("abs", { $0.abs() }, { Swift.abs($0) }, false),
        ("tanh", { $0.tanh() }, { Foundation.tanh($0) }, false),
        ("sigmoid", { $0.sigmoid() }, { 1 / (1 + Foundation.exp(-$0)) }, false),
        ("relu", { $0.relu() }, { Swift.max($0, 0) }, false),
        ("leakyRelu", { $0.leakyRelu(0.2) }, { $0 > 0 ? $0 : 0.2 * $0 }, false),
        ("silu", { $0.silu() }, { $0 / (1 + Foundation.exp(-$0)) }, false),
        ("softplus", { $0.softplus() }, { Foundation.log(1 + Foundation.exp($0)) }, false),
        ("sin", { $0.sin() }, { Foundation.sin($0) }, false),
        ("cos", { $0.cos() }, { Foundation.cos($0) }, false),
    ]

    static func input(_ positive: Bool, seed: UInt64) -> Tensor {
        positive ? GradCheck.positive([3, 4], seed: seed) : GradCheck.input([3, 4], seed: seed).mul(2)
    }

    @Test(arguments: 0..<ops.count) func valuesMatchFoundation(_ i: Int) {
        let (_, op, reference, positive) = Self.ops[i]
        let x = Self.input(positive, seed: 10)
        expectClose(op(x), x.scalars.map(reference), atol: 1e-6, rtol: 2e-6)
    }

    @Test(arguments: 0..<ops.count) func firstOrder(_ i: Int) {
        let (_, op, _, positive) = Self.ops[i]
        GradCheck.check([Self.input(positive, seed: 11)]) { op($0[0]) }
    }

    @Test(arguments: 0..<ops.count) func secondOrder(_ i: Int) {
        let (_, op, _, positive) = Self.ops[i]
        GradCheck.checkSecondOrder([Self.input(positive, seed: 12)]) { op($0[0]) }
    }

    @Test func extremeValuesStayFinite() {
        let x = Tensor([-1000, -90, -20, 0, 20, 90, 1000])
        #expect(x.sigmoid().scalars.allSatisfy { $0.isFinite && $0 >= 0 && $0 <= 1 })
        // Exact except below e^−87.3, where the fast exponential flushes subnormal results to 0.
        expectClose(x.softplus(), x.scalars.map { $0 > 50 ? $0 : Foundation.log1p(Foundation.exp($0)) },
                    atol: 1e-37, rtol: 1e-6)
        #expect(x.tanh().scalars == [-1, -1, -1, 0, 1, 1, 1])
        let e = x.exp().scalars
        #expect(e.first == 0 && e.last == .infinity)
        #expect(Tensor([Float.nan]).exp().scalars[0].isNaN)
    }

    @Test func fastExpIsAccurateOverItsRange() {
        let xs = stride(from: Float(-87), through: 88, by: 0.0137).map { $0 }
        let y = Tensor(xs).exp().scalars
        for (x, v) in zip(xs, y) {
            let ref = Foundation.exp(Double(x))
            #expect(Swift.abs(Double(v) - ref) <= 3e-7 * ref, "exp(\(x)) = \(v), expected \(ref)")
        }
    }

    @Test func softplusIsAccurateOverItsRange() {
        let xs = stride(from: Float(-80), through: 30, by: 0.0173).map { $0 } + [0, -1e-8, 1e-8]
        let y = Tensor(xs).softplus().scalars
        for (x, v) in zip(xs, y) {
            let ref = Swift.max(Double(x), 0) + Foundation.log1p(Foundation.exp(-Swift.abs(Double(x))))
            #expect(Swift.abs(Double(v) - ref) <= 4e-7 * ref, "softplus(\(x)) = \(v), expected \(ref)")
        }
    }

    @Test func fastTanhIsAccurateOverItsRange() {
        let xs = stride(from: Float(-12), through: 12, by: 0.00731).map { $0 } + [1e-30, -1e-7, 0.0999, 0.1001]
        let y = Tensor(xs).tanh().scalars
        for (x, v) in zip(xs, y) {
            let ref = Foundation.tanh(Double(x))
            #expect(Swift.abs(Double(v) - ref) <= 5e-7 * Swift.abs(ref) + 1e-45, "tanh(\(x)) = \(v), expected \(ref)")
        }
    }

    /// The fused derivatives (no recording) agree with the composed ones (createGraph).
    @Test(arguments: [6, 7, 8, 9, 10]) func fusedDerivativeMatchesComposed(_ i: Int) {
        let (_, op, _, _) = Self.ops[i]
        let x = GradCheck.input([4, 5], seed: 13).mul(3).requiringGrad()
        let g = GradCheck.input([4, 5], seed: 14)
        let fused = gradients(of: op(x), wrt: [x], outputGradient: g)[0]
        let composed = gradients(of: op(x), wrt: [x], outputGradient: g, createGraph: true)[0]
        expectClose(fused, composed.scalars, atol: 1e-6, rtol: 1e-5)
    }
}

extension Tensor {
    func mul(_ s: Float) -> Tensor { self * s }
}
