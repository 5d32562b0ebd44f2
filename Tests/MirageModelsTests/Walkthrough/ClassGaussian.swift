import ArgumentParser
import Foundation
import MirageModels
import MirageNN
import MirageTensor

// The model of the README's "Add a model" walkthrough, as a newcomer would write it: a
// class-conditional Gaussian with one mean and one standard deviation per class and pixel,
// p(x | y) = Π_i N(x_i; μ_{y,i}, σ_{y,i}²), fitted by Adam on the exact negative log-likelihood.
// It samples from an exponential moving average of its parameters, which (with a step counter)
// is state beyond networks and optimizers that a resume must restore.

/// The networks: a mean and a log standard deviation per class and pixel.
final class ClassGaussianNet: Module {
    @Parameter var mean: Tensor
    @Parameter var logStd: Tensor

    init(classes: Int, pixels: Int) {
        mean = Tensor.full([classes, pixels], 0.5)
        logStd = Tensor.full([classes, pixels], -1)
    }

    /// −log p(x | y) per example, in nats.
    func negativeLogLikelihood(_ x: Tensor, labels: [Int]) -> Tensor {
        let mu = mean.indexSelect(axis: 0, indices: labels), logSigma = logStd.indexSelect(axis: 0, indices: labels)
        let z = (x.flattened(startAxis: 1) - mu) * (-logSigma).exp()
        return (z * z * 0.5 + logSigma).sum(axis: 1) + Float(0.5 * log(2 * Double.pi) * Double(mean.shape[1]))
    }
}

final class ClassGaussian: GenerativeModel, ConditionalSampling, LikelihoodModel {
    struct Config: Codable {
        var imageShape = [1, 28, 28]
        var classCount = 10
        var learningRate: Float = 0.02
        var emaDecay: Float = 0.9
        var seed: UInt64 = 0
    }

    let config: Config
    let net: ClassGaussianNet
    let averaged: ClassGaussianNet
    let optimizer: Adam
    let ema: ExponentialMovingAverage
    var stepsTaken = 0

    init(_ config: Config) {
        self.config = config
        net = ClassGaussianNet(classes: config.classCount, pixels: config.imageShape.reduce(1, *))
        averaged = ClassGaussianNet(classes: config.classCount, pixels: config.imageShape.reduce(1, *))
        optimizer = Adam(net.trainableParameters(), learningRate: config.learningRate)
        ema = ExponentialMovingAverage(of: net, decay: config.emaDecay)
    }

    var configuration: Data { (try? JSONEncoder().encode(config)) ?? Data() }
    var networks: [(String, Module)] { [("net", net)] }
    var optimizers: [(String, Optimizer)] { [("adam", optimizer)] }
    var generators: [(String, RandomGenerator)] { [] }
    var data: DataRequirement { DataRequirement(range: 0...1, needsLabels: true) }

    var state: [String: Tensor] {
        var s = ema.state()
        s["steps"] = Tensor([Float(stepsTaken)])
        return s
    }

    func restoreState(_ state: [String: Tensor]) throws {
        try ema.restore(from: state)
        guard let steps = state["steps"], steps.count == 1 else {
            throw ModelConfigurationError.unsuitable(kind: ClassGaussianKind.name, reason: "the checkpoint has no state.steps")
        }
        stepsTaken = Int(steps.scalars[0])
    }

    func trainStep(_ input: StepInput, context: StepContext) -> [String: Float] {
        let loss = net.negativeLogLikelihood(input.images, labels: input.labels.scalars.map { Int($0) }).mean()
        context.updater.minimize(loss, with: optimizer)
        ema.update(from: net)
        stepsTaken += 1
        return ["nll": loss.item]
    }

    var classCount: Int { config.classCount }
    var sampleShape: [Int] { config.imageShape }

    func sample(count: Int, class label: Int, generator: RandomGenerator) -> Tensor {
        sample(count: count, class: label, spread: 1, generator: generator)
    }

    /// Samples of class `label` with every pixel's standard deviation times `spread` (0: the mean).
    func sample(count: Int, class label: Int, spread: Float, generator: RandomGenerator) -> Tensor {
        try! ema.copy(to: averaged)  // same architecture by construction
        return withNoGrad {
            let d = config.imageShape.reduce(1, *)
            let mu = averaged.mean.sliced(axis: 0, label..<(label + 1)), sigma = averaged.logStd.sliced(axis: 0, label..<(label + 1)).exp()
            return (mu + sigma * spread * Tensor.randn([count, d], generator: generator)).clamped(min: 0, max: 1)
                .reshaped([count] + config.imageShape)
        }
    }

    func sample(count: Int, generator: RandomGenerator) -> Tensor {
        let perClass = (count + classCount - 1) / classCount
        let all = Tensor.concat((0..<classCount).map { sample(count: perClass, class: $0, generator: generator) }, axis: 0)
        return all.sliced(axis: 0, 0..<count)
    }

    func sheets(fixed: StepInput, noise: RandomGenerator) -> [Sheet] {
        [Sheet(name: "samples", images: sample(count: 8 * classCount, generator: noise), columns: 8)]
    }

    var likelihoodUnavailableReason: String? { nil }
    func likelihoodInput(_ images: Tensor, generator: RandomGenerator) -> Tensor { images }
    func negativeLogLikelihood(_ x: Tensor, samples: Int, generator: RandomGenerator) -> LikelihoodEstimate {
        // Marginal over classes with a uniform prior: −log Σ_y p(x | y) / K.
        let perClass = (0..<classCount).map { k in
            withNoGrad { -net.negativeLogLikelihood(x, labels: Array(repeating: k, count: x.shape[0])) }.unsqueezed(axis: 1)
        }
        let logJoint = Tensor.concat(perClass, axis: 1) - Float(log(Double(classCount)))
        return LikelihoodEstimate(nll: -logJoint.logSumExp(axis: 1), method: "exact")
    }
}

enum ClassGaussianKind: ModelKind {
    static let name = "class-gaussian"
    static let summary = "class-conditional diagonal Gaussian (the README walkthrough)"

    struct Options: ParsableArguments {
        @Option(help: "Learning rate of Adam.")
        var lr: Float = 0.02

        @Option(help: "Decay of the moving average the samples come from.")
        var emaDecay: Float = 0.9
    }

    static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> ClassGaussian.Config {
        ClassGaussian.Config(imageShape: data.sampleShape, classCount: data.classCount, learningRate: o.lr,
                             emaDecay: o.emaDecay, seed: seed)
    }

    static func make(_ config: ClassGaussian.Config) throws -> ClassGaussian { ClassGaussian(config) }

    /// `mirage sample RUN --class K --spread S`: a shared option and one of the model's own.
    struct SamplingOptions: ParsableArguments {
        @OptionGroup var label: ClassOption

        @Option(help: "Scale of each pixel's standard deviation (0: the class's mean image).")
        var spread: Float = 1

        func validate() throws {
            guard spread >= 0, spread.isFinite else { throw ValidationError("--spread must be at least 0, got \(spread)") }
        }
    }

    /// `mirage bench class_gaussian`: one training step on 64 random digits-sized images.
    static var benchmarks: [ModelBenchmark] {
        [ModelBenchmark("class_gaussian", "class-conditional diagonal Gaussian: one Adam step on the NLL") { seed in
            let g = RandomGenerator(seed: seed)
            let images = Tensor.rand([ModelBenchmark.batchSize, 1, 28, 28], generator: g)
            let labels = Tensor((0..<ModelBenchmark.batchSize).map { Float($0 % 10) })
            let model = ClassGaussian(ClassGaussian.Config(imageShape: [1, 28, 28], classCount: 10, learningRate: 0.02,
                                                           emaDecay: 0.9, seed: seed))
            return ModelBenchmark.trainingStep(model, StepInput(images: images, labels: labels), loss: "nll")
        }]
    }

    static func sample(_ model: ClassGaussian, _ request: SampleRequest, options: SamplingOptions) throws -> Tensor {
        guard let label = try options.label.checked(for: model) else { return model.sample(count: request.count, generator: request.generator) }
        return model.sample(count: request.count, class: label, spread: options.spread, generator: request.generator)
    }
}
