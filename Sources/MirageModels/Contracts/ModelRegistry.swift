import Foundation

/// The models the command line knows: a list of ``ModelKind`` types, in the order
/// `mirage train --help` shows them.
///
/// ```swift
/// let vae = try ModelRegistry.make(kind: "vae")                          // defaults
/// let stored = try ModelRegistry.make(kind: header.kind, configuration: header.config)
/// ModelRegistry.register(MyModelKind.self)                                // a model of your own
/// ```
public enum ModelRegistry {
    /// The built-in models. A new model adds one line here.
    public static let builtIn: [any ModelKind.Type] = [
        AutoencoderKind.self,
        DenoisingAutoencoderKind.self,
        VAEKind.self,
        GANKind.self,
        DCGANKind.self,
        WGANKind.self,
        WGANGPKind.self,
        ConditionalGANKind.self,
        InfoGANKind.self,
        LAPGANKind.self,
        Pix2PixKind.self,
        CycleGANKind.self,
        DDPMKind.self,
        GlowKind.self,
        RealNVPKind.self,
        PixelCNNKind.self,
        StyleGANKind.self,
    ]

    private static let lock = NSLock()
    nonisolated(unsafe) private static var registered: [any ModelKind.Type] = []

    /// Adds a model kind defined outside Mirage (or in a test), so that checkpoints of it load
    /// and ``make(kind:configuration:seed:)`` builds it. Registering a name twice keeps the first.
    public static func register(_ kind: any ModelKind.Type) {
        lock.lock()
        defer { lock.unlock() }
        guard !(builtIn + registered).contains(where: { $0.name == kind.name }) else { return }
        registered.append(kind)
    }

    /// Every kind: the built-in ones, then the registered ones.
    public static var kinds: [any ModelKind.Type] {
        lock.lock()
        defer { lock.unlock() }
        return builtIn + registered
    }

    /// Every kind's name.
    public static var names: [String] { kinds.map { $0.name } }

    /// The kind called `name`.
    ///
    /// - Throws: ``ModelConfigurationError/unknownKind(_:)`` listing the known names.
    public static func kind(named name: String) throws -> any ModelKind.Type {
        guard let kind = kinds.first(where: { $0.name == name }) else { throw ModelConfigurationError.unknownKind(name) }
        return kind
    }

    /// A model of `kind`: from a stored configuration (JSON, at `version` of its form; the
    /// current one by default), or with the kind's default options.
    ///
    /// - Throws: ``ModelConfigurationError`` for an unknown kind or a configuration that does not decode.
    public static func make(kind name: String, configuration: Data? = nil, version: Int? = nil, seed: UInt64 = 0) throws -> any GenerativeModel {
        let kind = try kind(named: name)
        if let configuration { return try kind.make(json: configuration, version: version) }
        return try kind.makeDefault(seed: seed)
    }

    /// The names of the kinds whose models satisfy `capability` (e.g. `LikelihoodModel.self`),
    /// for messages that say which models can do what was asked.
    public static func names(where capability: (any GenerativeModel.Type) -> Bool) -> [String] {
        kinds.filter { capability($0.modelType) }.map { $0.name }
    }

    /// The names of the kinds that take the long option `--name`.
    public static func kinds(takingOption name: String) -> [String] {
        kinds.filter { $0.optionNames.contains(name) }.map { $0.name }
    }

    /// The configuration version a run of `kind` is written with: the kind's
    /// ``ModelKind/configurationVersion``, or 1 (a form's first) for a kind outside the registry.
    public static func configurationVersion(ofKind name: String) -> Int {
        (try? kind(named: name))?.configurationVersion ?? 1
    }

    /// The names of the kinds whose runs `mirage sample` takes the long option `--name` for.
    public static func kinds(takingSamplingOption name: String) -> [String] {
        kinds.filter { $0.samplingOptionNames.contains(name) }.map { $0.name }
    }
}

extension ModelKind {
    /// The model type, as a value.
    public static var modelType: any GenerativeModel.Type { Model.self }
}
