import ArgumentParser
import Foundation
import MirageData
import MirageTensor

/// The sampling options of a model that has none of its own: `mirage sample` takes only its
/// shared options (count, seed, output) for such runs.
public struct NoSamplingOptions: ParsableArguments {
    public init() {}
}

/// `--class K`: draw samples of one class, for a class-conditional model's sampling options.
///
/// ```swift
/// public struct SamplingOptions: ParsableArguments {
///     @OptionGroup public var label: ClassOption
///     public init() {}
/// }
/// ```
public struct ClassOption: ParsableArguments {
    @Option(name: .customLong("class"), help: "Draw samples of this class only.")
    public var label: Int?

    public init() {}

    /// The class asked for, checked against the model's classes; `nil` when none was.
    ///
    /// - Throws: `ValidationError` when the model was trained without classes or the class is
    ///   outside them.
    public func checked(for model: any ConditionalSampling) throws -> Int? {
        guard let label else { return nil }
        guard model.classCount > 0 else {
            throw ValidationError("this run was trained without classes, so --class has nothing to follow; train it with --conditional")
        }
        guard (0..<model.classCount).contains(label) else {
            throw ValidationError("--class \(label) is outside the model's classes 0..<\(model.classCount)")
        }
        return label
    }
}

/// `--latents z.npy`: generate from given latent vectors instead of drawing them, for models
/// whose samples are a function of a Gaussian latent (``LatentDecoding``), so that the same
/// latents can be fed to the PyTorch peer with Mirage's weights, or walked by hand.
public struct LatentsOption: ParsableArguments {
    @Option(help: ArgumentHelp("Generate from these latent vectors instead of random ones: a float32 .npy of N×latent size; N samples.",
                               valueName: "z.npy"))
    public var latents: String?

    public init() {}

    /// The model's samples of the latents in the file, or of `request.count` latents drawn
    /// from the request's generator when no file was given.
    ///
    /// - Throws: `ValidationError` naming the file for a type, shape or value that does not fit;
    ///   `NPYError` for a file that is not a readable `.npy`.
    public func samples(_ model: any LatentDecoding, _ request: SampleRequest) throws -> Tensor {
        guard let path = latents else { return model.sample(count: request.count, generator: request.generator) }
        let array = try NPY.read(path)
        guard case .float32 = array.values else {
            throw ValidationError("\(path): latents must be float32 (numpy's np.float32); this file holds another type")
        }
        guard array.shape.count == 2, array.shape[0] > 0, array.shape[1] == model.latentSize else {
            throw ValidationError("\(path): latents of shape \(array.shape); this run takes N×\(model.latentSize) (N ≥ 1)")
        }
        let z = array.tensor
        if let bad = z.scalars.firstIndex(where: { !$0.isFinite }) {
            throw ValidationError("\(path): latent value \(bad) (row \(bad / model.latentSize)) is \(z.scalars[bad]), not a finite number")
        }
        return model.decode(latents: z)
    }
}

/// `--temperature T`: the spread of a flow's latents times T, trading diversity for cleaner samples.
public struct TemperatureOption: ParsableArguments {
    @Option(help: "Scale of the latents' spread (default: the run's, 1; Glow's paper shows 0.7).")
    public var temperature: Float?

    public init() {}

    public func validate() throws {
        if let temperature, !(temperature > 0 && temperature.isFinite) {
            throw ValidationError("--temperature must be positive, got \(temperature)")
        }
    }
}

extension ClassOption {
    /// Samples of the asked class, or the model's default draw without one.
    public func samples(_ model: any ConditionalSampling, _ request: SampleRequest) throws -> Tensor {
        guard let label = try checked(for: model) else { return model.sample(count: request.count, generator: request.generator) }
        return model.sample(count: request.count, class: label, generator: request.generator)
    }
}

extension ModelKind where Model: LatentDecoding, SamplingOptions == LatentsOption {
    /// Samples from drawn latents, or from the file `--latents` names.
    public static func sample(_ model: Model, _ request: SampleRequest, options: SamplingOptions) throws -> Tensor {
        try options.samples(model, request)
    }
}

extension ModelKind where Model: ConditionalSampling, SamplingOptions == ClassOption {
    /// Samples of the class `--class` names, or the model's default draw.
    public static func sample(_ model: Model, _ request: SampleRequest, options: SamplingOptions) throws -> Tensor {
        try options.samples(model, request)
    }
}
