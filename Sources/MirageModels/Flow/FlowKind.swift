import ArgumentParser
import Foundation
import MirageTensor

/// A flow's options on `mirage train`: the architecture's own (its sizes), then the optimiser and
/// default sampler every flow shares (``FlowTrainingOptions``).
public struct FlowOptions<Architecture: ParsableArguments>: ParsableArguments {
    @OptionGroup public var architecture: Architecture
    @OptionGroup public var training: FlowTrainingOptions

    public init() {}
}

/// The kind of a flow (``FlowModel``): Glow and RealNVP differ only in their architecture, so a
/// flow kind says its name, its architecture's options and how they set and check the
/// configuration; the rest is written once here: the shared training options, building the
/// configuration for the data, the checks every flow's configuration passes, sampling at
/// `--temperature`, and the upgrade of runs from before the moving average.
///
/// ```swift
/// public enum GlowKind: FlowKind {
///     public static let name = "glow"
///     public static let summary = "Glow: …"
///     public typealias Options = FlowOptions<GlowArchitecture>
///     public static func configure(_ c: inout Glow.Config, _ o: GlowArchitecture) { c.depth = o.depth … }
///     public static func squeezes(_ c: Glow.Config) -> (count: Int, option: String, sizes: [(String, Int)]) { … }
///     public static func build(_ c: Glow.Config) -> Glow { Glow(c) }
/// }
/// ```
public protocol FlowKind: ModelKind
where Model: FlowModel, Config: FlowConfiguration, Options == FlowOptions<ArchitectureOptions>, SamplingOptions == TemperatureOption {
    /// The architecture's own options.
    associatedtype ArchitectureOptions: ParsableArguments
    /// A configuration with every default, for the data to override.
    static var defaultConfiguration: Config { get }
    /// Sets the architecture's fields of `config` from its options.
    static func configure(_ config: inout Config, _ options: ArchitectureOptions)
    /// How often the architecture halves the image (`count`), the option that sets it, and the
    /// sizes to bound: what ``make(_:)`` checks of a stored configuration.
    static func squeezes(_ config: Config) -> (count: Int, option: String, sizes: [(String, Int)])
    /// Checks of the configuration's other fields; none by default.
    ///
    /// - Throws: ``ModelConfigurationError/unsuitable(kind:reason:)`` naming the field.
    static func validateArchitecture(_ config: Config) throws
    /// The model for a configuration that passed the checks.
    static func build(_ config: Config) -> Model
}

extension FlowKind {
    public static func validateArchitecture(_ config: Config) throws {}

    public static func configuration(_ o: Options, seed: UInt64, data: DataDescription) throws -> Config {
        var c = defaultConfiguration
        c.imageShape = data.sampleShape
        configure(&c, o.architecture)
        o.training.apply(to: &c)
        c.seed = seed
        return c
    }

    public static func make(_ config: Config) throws -> Model {
        let (count, option, sizes) = squeezes(config)
        try FlowTrainingOptions.validate(kind: name, config, squeezes: count, option: option, sizes: sizes)
        try validateArchitecture(config)
        return build(config)
    }

    /// Version 0 (runs from before configuration versions): written before the moving average of
    /// the weights existed, so without `emaDecay`; those runs sample from the trained weights,
    /// which decay 0 means.
    public static func upgrade(_ configuration: inout [String: Any], from version: Int) {
        if version < 1, configuration["emaDecay"] == nil { configuration["emaDecay"] = 0 }
    }

    /// Samples at `--temperature`, or at the run's own.
    public static func sample(_ model: Model, _ request: SampleRequest, options: TemperatureOption) throws -> Tensor {
        guard let temperature = options.temperature else { return model.sample(count: request.count, generator: request.generator) }
        return model.sample(count: request.count, temperature: temperature, generator: request.generator)
    }
}
