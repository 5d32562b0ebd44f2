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
        #expect(x.softplus().scalars == x.scalars.map { $0 > 50 ? $0 : Foundation.log1p(Foundation.exp($0)) })
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
}

extension Tensor {
    func mul(_ s: Float) -> Tensor { self * s }
}
