import Foundation
import MirageNN
import MirageTensor
import MirageTestSupport
import Testing

@Suite struct OptimizerTests {
    static let file = Fixtures.load("torch_optimizers")

    static let optimizers: [String: (Tensor) -> Optimizer] = [
        "sgd": { SGD([$0], learningRate: 0.1) },
        "sgdMomentum": { SGD([$0], learningRate: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01) },
        "sgdNesterov": { SGD([$0], learningRate: 0.1, momentum: 0.9, nesterov: true) },
        "adam": { Adam([$0], learningRate: 0.01, betas: (0.5, 0.999)) },
        "adamWeightDecay": { Adam([$0], learningRate: 0.01, weightDecay: 0.1) },
        "adamW": { AdamW([$0], learningRate: 0.01, weightDecay: 0.1) },
        "rmsprop": { RMSprop([$0], learningRate: 0.01) },
        "rmspropCenteredMomentum": { RMSprop([$0], learningRate: 0.01, weightDecay: 0.01, momentum: 0.5, centered: true) },
    ]

    @Test(arguments: optimizers.keys.sorted())
    func trajectoryMatchesPyTorch(_ name: String) {
        let p = Self.file.tensors["start"]!.copy().requiringGrad()
        let opt = Self.optimizers[name]!(p)
        for i in 0..<6 {
            p.grad = Self.file.tensors["grad.\(i)"]!
            opt.step()
        }
        expectClose(p, Self.file.tensors["\(name).final"]!.scalars, atol: 1e-6, rtol: 1e-5)
    }

    @Test func stepSkipsParametersWithoutGradientsAndZeroGradClears() {
        let a = Tensor([1, 2]).requiringGrad(), b = Tensor([3]).requiringGrad()
        let opt = SGD([a, b], learningRate: 0.5)
        (a * a).sum().backward()
        opt.step()
        #expect(a.scalars == [0, 0])
        #expect(b.scalars == [3])
        opt.zeroGrad()
        #expect(a.grad == nil)
    }

    /// Optimizer state read from a file: a NaN, negative or fractional count, a learning rate of
    /// the wrong shape or NaN moments are errors, never a trap or a silently poisoned run.
    @Test func corruptStateIsRefused() throws {
        let w = Tensor.ones([3]).requiringGrad()
        let adam = Adam([w], learningRate: 0.1)
        (w * w).sum().backward()
        adam.step()
        let good = adam.stateDict()
        #expect(throws: Never.self) { try Adam([Tensor.ones([3]).requiringGrad()], learningRate: 0.1).loadStateDict(good) }
        func refused(_ key: String, _ value: Tensor) -> Bool {
            var bad = good
            bad[key] = value
            do { try Adam([Tensor.ones([3]).requiringGrad()], learningRate: 0.1).loadStateDict(bad) } catch { return true }
            return false
        }
        #expect(refused("step_count", Tensor(Float.nan)))
        #expect(refused("step_count", Tensor(-1)))
        #expect(refused("step_count", Tensor(2.5)))
        #expect(refused("lr", Tensor([0.1, 0.2])))
        #expect(refused("lr", Tensor(Float.infinity)))
        let moment = try #require(good.keys.first { $0.hasPrefix("0.") && good[$0]!.shape == [3] })
        #expect(refused(moment, Tensor([1, .nan, 3])))
        #expect(refused(moment, Tensor.ones([4])))
    }

    @Test func schedules() {
        let step = StepDecay(baseLearningRate: 1, stepSize: 10, gamma: 0.5)
        #expect([0, 9, 10, 25].map { step($0) } == [1, 1, 0.5, 0.25])
        let cosine = CosineAnnealing(baseLearningRate: 1, totalSteps: 100, minimum: 0.1)
        #expect(cosine(0) == 1)
        #expect(Swift.abs(cosine(50) - 0.55) < 1e-6)
        #expect(Swift.abs(cosine(100) - 0.1) < 1e-6 && cosine(200) == cosine(100))
        let warm = LinearWarmup(warmupSteps: 4, then: ConstantRate(0.8))
        #expect([0, 1, 3, 4, 100].map { warm($0) } == [0.2, 0.4, 0.8, 0.8, 0.8])
    }

    @Test func clipping() {
        let a = Tensor([0, 0]).requiringGrad(), b = Tensor([0]).requiringGrad()
        a.grad = Tensor([3, 0])
        b.grad = Tensor([4])
        #expect(clipGradNorm([a, b], maxNorm: 1) == 5)
        expectClose(a.grad!, [0.6, 0], atol: 1e-6)
        expectClose(b.grad!, [0.8], atol: 1e-6)
        let w = Tensor([-2, 0.005, 3])
        clipWeights([w], to: 0.01)
        #expect(w.scalars == [-0.01, 0.005, 0.01])
    }

    @Test func exponentialMovingAverage() throws {
        let model = Linear(2, 1, generator: RandomGenerator(seed: 1))
        let ema = ExponentialMovingAverage(of: model, decay: 0.5)
        let w0 = model.weight.scalars
        model.weight.assign(Tensor([1, 1], shape: [1, 2]))
        ema.update(from: model)
        let copy = Linear(2, 1)
        try ema.copy(to: copy)
        expectClose(copy.weight, w0.map { 0.5 * $0 + 0.5 }, atol: 1e-7)
    }

    /// An average kept as a module of its own moves the same way, and the module it follows is untouched.
    @Test func movingAverageOfAModuleOfItsOwn() {
        let model = Linear(2, 1, generator: RandomGenerator(seed: 1))
        let average = Linear(2, 1, generator: RandomGenerator(seed: 2))
        let (a0, b0) = (average.weight.scalars, average.bias!.scalars)
        model.weight.assign(Tensor([1, 3], shape: [1, 2]))
        ExponentialMovingAverage.update(average, from: model, decay: 0.25)
        expectClose(average.weight, zip(a0, [1, 3]).map { 0.25 * $0 + 0.75 * $1 }, atol: 1e-7)
        expectClose(average.bias!, zip(b0, model.bias!.scalars).map { 0.25 * $0 + 0.75 * $1 }, atol: 1e-7)
        #expect(model.weight.scalars == [1, 3])
    }

    /// A model keeps its average in its checkpoint state under a prefix, beside keys of its own.
    @Test func movingAverageTravelsInAModelsState() throws {
        let model = Linear(2, 1, generator: RandomGenerator(seed: 1))
        let ema = ExponentialMovingAverage(of: model, decay: 0.5)
        model.weight.assign(Tensor([1, 1], shape: [1, 2]))
        ema.update(from: model)
        var state = ema.state()
        #expect(state.keys.sorted() == ["ema.bias", "ema.weight"])
        state["steps"] = Tensor([3])
        let restored = ExponentialMovingAverage(of: Linear(2, 1, generator: RandomGenerator(seed: 9)), decay: 0.5)
        try restored.restore(from: state)
        #expect(restored.shadow["weight"]!.scalars == ema.shadow["weight"]!.scalars)
        #expect(throws: StateDictError.self) { try restored.restore(from: ["ema.weight": Tensor([1, 1], shape: [1, 2])]) }
    }

    /// The warm-up decay: 2/11 for the first update, then rising until it meets the set decay.
    @Test func warmedUpDecay() {
        let ema = ExponentialMovingAverage(of: Linear(2, 1, generator: RandomGenerator(seed: 1)), decay: 0.9)
        #expect(ema.warmedUpDecay(update: 1) == Float(2) / Float(11))
        #expect(ema.warmedUpDecay(update: 10) == Float(11) / Float(20))
        #expect(ema.warmedUpDecay(update: 1000) == 0.9)
    }

    @Test func stateRoundTripsAndRejectsWrongShapes() throws {
        let p = Tensor.randn([3], generator: RandomGenerator(seed: 2)).requiringGrad()
        let opt = Adam([p])
        p.grad = Tensor([1, 2, 3])
        opt.step()
        let saved = opt.stateDict()
        let q = p.copy().requiringGrad()
        let fresh = Adam([q])
        try fresh.loadStateDict(saved)
        p.grad = Tensor([0.5, 0, -1])
        q.grad = Tensor([0.5, 0, -1])
        opt.step()
        fresh.step()
        #expect(p.scalars == q.scalars)
        #expect(throws: StateDictError.self) {
            try Adam([Tensor.zeros([4]).requiringGrad()]).loadStateDict(saved)
        }
    }
}
