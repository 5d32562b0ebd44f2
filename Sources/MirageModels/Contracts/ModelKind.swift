import ArgumentParser
import Foundation
import MirageTensor

/// A model as `mirage train` knows it: its name, a one-line summary, what it trains on, its own
/// command-line options, its `Codable` configuration, and how to build the model from either.
///
/// Adding a model means one folder under `Sources/MirageModels/` holding the model and a kind,
/// and one line in ``ModelRegistry/kinds``; the training loop, checkpoints, resume and the
/// command line come with it.
///
/// ```swift
/// public enum VAEKind: ModelKind {
///     public static let name = "vae"
///     public static let summary = "variational autoencoder (784-400-20, Bernoulli decoder)"
///     public struct Options: ParsableArguments {
///         @Option(help: "Learning rate.") var lr: Float = 1e-3
///         public init() {}
///     }
///     public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> VAE.Config { … }
///     public static func make(_ config: VAE.Config) throws -> VAE { VAE(config) }
/// }
/// ```
public protocol ModelKind {
    associatedtype Model: GenerativeModel
    associatedtype Config: Codable
    /// The model's own options; `mirage train <name> --help` shows them beside the run options.
    associatedtype Options: ParsableArguments
    /// The options `mirage sample` takes for this model's runs beside its shared ones
    /// (`mirage sample RUN --help` shows them): ``ClassOption``, ``LatentsOption``,
    /// ``TemperatureOption`` or the model's own. ``NoSamplingOptions`` by default.
    associatedtype SamplingOptions: ParsableArguments = NoSamplingOptions

    /// The name on the command line (`vae`) and in checkpoints.
    static var name: String { get }
    /// One line for `mirage train --help`.
    static var summary: String { get }
    /// What the model trains on; the dataset is loaded in this shape before the model is built.
    static var dataShape: DataShape { get }
    /// Whether the model also trains on 2-D toy points (`--dataset ring8`), which are then
    /// loaded as ``DataShape/points`` instead of ``dataShape``. False by default.
    static var acceptsPoints: Bool { get }
    /// Longer help: what a step does, the sheets, examples. Empty by default.
    static var discussion: String { get }

    /// The configuration `options` ask for, for data of the given size.
    ///
    /// - Throws: ``ModelConfigurationError`` when the options or data do not suit the model.
    static func configuration(_ options: Options, seed: UInt64, data: DataDescription) throws -> Config

    /// The model for a configuration, fresh or as stored in a checkpoint.
    ///
    /// - Throws: ``ModelConfigurationError`` for a configuration the model cannot take.
    static func make(_ config: Config) throws -> Model

    /// The version of ``Config``'s stored form, written beside it in `config.json` and in
    /// checkpoints. Raise it when the stored form changes (a field added, a meaning changed) and
    /// teach ``upgrade(_:from:)`` to bring older runs' configurations to the new form, so that
    /// `Config` itself carries no history. 1 by default; runs from before versions were
    /// written are version 0.
    static var configurationVersion: Int { get }

    /// Brings a stored configuration written at `version` (below ``configurationVersion``) to
    /// the current form, in place: fills in fields added since with the values those runs
    /// were trained with. Does nothing by default.
    static func upgrade(_ configuration: inout [String: Any], from version: Int)

    /// New samples, as `mirage sample` draws them: `[count, C, H, W]` in [0, 1] (`[count, 2]`
    /// points for a 2-D model). By default a ``Sampling`` model's
    /// ``Sampling/sample(count:generator:)``; a model that takes sampling options reads them here.
    ///
    /// - Throws: `ValidationError` for options this run cannot honour (a class it does not have,
    ///   more steps than it was trained with), ``MissingCapability`` for a model that does not
    ///   draw samples from noise.
    static func sample(_ model: Model, _ request: SampleRequest, options: SamplingOptions) throws -> Tensor

    /// The steps `mirage bench` times for this model against the PyTorch peer; none by default.
    static var benchmarks: [ModelBenchmark] { get }
}

extension ModelKind {
    public static var dataShape: DataShape { .images }
    public static var acceptsPoints: Bool { false }
    public static var discussion: String { "" }

    /// The model for the options' defaults, on MNIST-sized data.
    public static func makeDefault(seed: UInt64 = 0, data: DataDescription = .mnist) throws -> Model {
        try make(configuration(Options.parse([]), seed: seed, data: data))
    }

    public static var configurationVersion: Int { 1 }
    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {}

    /// The model for a configuration stored as JSON at `version` of its form (the current one
    /// by default), upgraded first if it is older.
    ///
    /// - Throws: ``ModelConfigurationError/badConfiguration(kind:reason:)`` when it does not
    ///   decode or was written by a newer Mirage.
    public static func make(json: Data, version: Int? = nil) throws -> Model {
        let current = try upgraded(json, from: version ?? configurationVersion)
        let config: Config
        do { config = try JSONDecoder().decode(Config.self, from: current) } catch {
            throw ModelConfigurationError.badConfiguration(kind: name, reason: "\(error)")
        }
        return try make(config)
    }

    /// A stored configuration in the current form: as it is at ``configurationVersion``, through
    /// ``upgrade(_:from:)`` when older.
    ///
    /// - Throws: ``ModelConfigurationError/badConfiguration(kind:reason:)`` for a version from a
    ///   newer Mirage, or an old configuration that is not a JSON object.
    public static func upgraded(_ json: Data, from version: Int) throws -> Data {
        guard version <= configurationVersion else {
            throw ModelConfigurationError.badConfiguration(
                kind: name, reason: "it is of configuration version \(version), written by a newer Mirage; this one reads \(name) configurations up to version \(configurationVersion)")
        }
        guard version < configurationVersion else { return json }
        guard var object = try? JSONSerialization.jsonObject(with: json) as? [String: Any] else {
            throw ModelConfigurationError.badConfiguration(kind: name, reason: "it is not a JSON object")
        }
        upgrade(&object, from: version)
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
    }

    /// The long option names of ``Options`` (without dashes).
    public static var optionNames: [String] { longOptionNames(of: Options.self) }

    /// ``SamplingOptions``, as a value: its help is `mirage sample RUN --help`'s.
    public static var samplingOptionsType: any ParsableArguments.Type { SamplingOptions.self }

    /// The long option names of ``SamplingOptions`` (without dashes).
    public static var samplingOptionNames: [String] { longOptionNames(of: SamplingOptions.self) }

    /// Samples from `model` (a model of this kind) with sampling options given as command-line
    /// arguments, as `mirage sample RUN [options]` passes them.
    ///
    /// - Throws: The parser's error for an option this kind does not take or a bad value, and
    ///   what ``sample(_:_:options:)`` throws.
    public static func sample(_ model: any GenerativeModel, _ request: SampleRequest, arguments: [String]) throws -> Tensor {
        guard let model = model as? Model else {
            preconditionFailure("\(name).sample: a \(type(of: model)) is not this kind's \(Model.self)")
        }
        return try sample(model, request, options: SamplingOptions.parse(arguments))
    }

    public static func sample(_ model: Model, _ request: SampleRequest, options: SamplingOptions) throws -> Tensor {
        throw MissingCapability(subject: "a \(name) run", capability: "sampling from noise",
                                modelsWithIt: ModelRegistry.names { $0 is any Sampling.Type })
    }
}

extension ModelKind where Model: Sampling {
    public static func sample(_ model: Model, _ request: SampleRequest, options: SamplingOptions) throws -> Tensor {
        model.sample(count: request.count, generator: request.generator)
    }
}

/// The long option names of an arguments type (without dashes), read from ArgumentParser's own
/// description of the type so that they can never disagree with the parser.
func longOptionNames(of type: any ParsableArguments.Type) -> [String] {
    let json = Data(type._dumpHelp().utf8)
    guard let root = try? JSONSerialization.jsonObject(with: json) as? [String: Any],
          let command = root["command"] as? [String: Any],
          let arguments = command["arguments"] as? [[String: Any]] else { return [] }
    // ArgumentParser adds --help (and --version to commands): every type has them, none owns them.
    return arguments.flatMap { argument in
        (argument["names"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String == "long" ? $0["name"] as? String : nil }
    }.filter { $0 != "help" && $0 != "version" }
}

/// Why a model cannot be built as asked.
public enum ModelConfigurationError: Error, CustomStringConvertible {
    /// An unknown model name.
    case unknownKind(String)
    /// A stored configuration that does not decode.
    case badConfiguration(kind: String, reason: String)
    /// Options or data the model cannot take.
    case unsuitable(kind: String, reason: String)

    public var description: String {
        switch self {
        case .unknownKind(let k):
            return "unknown model '\(k)'; known models: \(ModelRegistry.names.joined(separator: ", "))"
        case .badConfiguration(let k, let reason):
            return "the stored configuration of the \(k) model does not decode: \(reason)"
        case .unsuitable(let k, let reason):
            return "\(k): \(reason)"
        }
    }
}

/// Checks the learning rate and code size shared by several models' options.
func validatePositive(lr: Float, latent: Int) throws {
    guard lr > 0, lr.isFinite else { throw ValidationError("--lr must be a positive number, got \(lr)") }
    guard latent > 0 else { throw ValidationError("--latent must be positive, got \(latent)") }
}

/// Checks the sizes and learning rate of a configuration before a model is built from it: a
/// stored configuration comes from a file, and a size edited to 4294967296 must be an error, not
/// an allocation of terabytes.
///
/// - Parameters:
///   - kind: The model's name, for the message.
///   - imageShape: `[C, H, W]`: 1 to 4 channels, sides of 1 to 4,096.
///   - sizes: Other sizes by name (latent, hidden width), each 1 to 65,536; the largest times
///     `denseInputs` must stay within 2^28 weights.
///   - denseInputs: The inputs of the widest fully connected layer (nil: the pixel count, as in an
///     MLP over the image; a convolutional front end passes its feature count). Evaluated only
///     once the image shape has passed, so it may compute from the shape.
///   - learningRate: A positive, finite number.
/// - Throws: ``ModelConfigurationError/unsuitable(kind:reason:)`` naming the field.
public func validateConfiguration(kind: String, imageShape: [Int], sizes: [(String, Int)],
                                  denseInputs: @autoclosure () -> Int? = nil, learningRate: Float) throws {
    guard imageShape.count == 3, (1...4).contains(imageShape[0]), imageShape.dropFirst().allSatisfy({ (1...4096).contains($0) }) else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "image shape \(imageShape) is not [C, H, W] with 1 to 4 channels and sides of 1 to 4096")
    }
    for (name, size) in sizes where !(1...65_536).contains(size) {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "\(name) \(size) is outside 1...65536")
    }
    // The widest layer of a fully connected model joins every pixel (or feature) to every hidden unit.
    let features = denseInputs(), inputs = features ?? imageShape.reduce(1, *), widest = sizes.map(\.1).max() ?? 1
    guard inputs * widest <= 1 << 28 else {
        let what = features == nil ? "pixels" : "features"
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "\(inputs) \(what) × \(widest) units make a layer of over 2^28 weights")
    }
    guard learningRate > 0, learningRate.isFinite else {
        throw ModelConfigurationError.unsuitable(kind: kind, reason: "learning rate \(learningRate) is not a positive number")
    }
}
