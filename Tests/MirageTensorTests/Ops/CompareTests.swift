import MirageTensor
import MirageTestSupport
import Testing

@Suite struct CompareTests {
    @Test func comparisonsGiveMasks() {
        let a = Tensor([1, 2, 3]), b = Tensor([3, 2, 1])
        #expect((a .> b).scalars == [0, 0, 1])
        #expect((a .< b).scalars == [1, 0, 0])
        #expect((a .>= b).scalars == [0, 1, 1])
        #expect((a .<= b).scalars == [1, 1, 0])
        #expect((a .== b).scalars == [0, 1, 0])
        #expect((a .!= 2).scalars == [1, 0, 1])
        #expect(!(a.requiringGrad() .> 0).requiresGrad)
    }

    @Test func whereSelectsAndRoutesGradients() {
        let c = Tensor([1, 0, 1, 0], shape: [2, 2])
        let a = GradCheck.input([2, 2], seed: 1), b = GradCheck.input([2], seed: 2)
        let y = Tensor.where(c, a, b)
        #expect(y.scalars == [a.scalars[0], b.scalars[1], a.scalars[2], b.scalars[1]])
        GradCheck.check([a, b]) { Tensor.where(c, $0[0], $0[1]) }
        GradCheck.checkSecondOrder([a, b]) { Tensor.where(c, $0[0] * $0[0], $0[1] * $0[1]) }
        // maximum and minimum: the two inputs at least 0.025 apart, more than eps, so ±eps never
        // changes which is chosen.
        let p = GradCheck.distinct([2, 3], seed: 6), q = GradCheck.distinct([2, 3], seed: 7) + 0.025
        GradCheck.checkSecondOrder([p, q]) { Tensor.maximum($0[0], $0[1]).pow(3) }
        GradCheck.checkSecondOrder([p, q]) { Tensor.minimum($0[0], $0[1]).pow(3) }
        // An infinite value in the branch not taken does not poison the gradient (c·a + (1−c)·b would give NaN).
        let inf = Tensor([Float.infinity, 1]).requiringGrad()
        Tensor.where(Tensor([0, 1]), inf, Tensor([2, 2])).sum().backward()
        #expect(inf.grad!.scalars == [0, 1])
    }

    @Test func clampedValuesAndGradient() {
        let x = Tensor([-2, -0.5, 0.5, 2])
        #expect(x.clamped(min: -1, max: 1).scalars == [-1, -0.5, 0.5, 1])
        GradCheck.check([GradCheck.input([6], seed: 3).mul(2)]) { $0[0].clamped(min: -0.5, max: 0.75) }
        let l = x.requiringGrad()
        l.clamped(min: -1, max: 1).sum().backward()
        #expect(l.grad!.scalars == [0, 1, 1, 0])
    }

    @Test func maximumAndMinimum() {
        let a = GradCheck.input([5], seed: 4), b = GradCheck.input([5], seed: 5)
        #expect(Tensor.maximum(a, b).scalars == zip(a.scalars, b.scalars).map { Swift.max($0, $1) })
        #expect(Tensor.minimum(a, b).scalars == zip(a.scalars, b.scalars).map { Swift.min($0, $1) })
        GradCheck.check([a, b]) { Tensor.maximum($0[0], $0[1]) }
    }
}
