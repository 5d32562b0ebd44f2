import MirageTensor

/// A network component whose parameters, buffers and children are found by reflection.
///
/// Subclass `Module`, declare trainable tensors with ``Parameter``, running statistics with
/// ``Buffer``, and sub-networks as plain properties (single modules, optionals or arrays). Names
/// follow PyTorch's `state_dict`: `encoder.fc1.weight`, `layers.0.bias`, `bn.running_mean`, so
/// weights move between the two.
///
/// ```swift
/// final class MLP: Module, Layer {
///     let fc1 = Linear(784, 400)
///     let fc2 = Linear(400, 10)
///     func callAsFunction(_ x: Tensor) -> Tensor { fc2(fc1(x).relu()) }
/// }
/// let model = MLP()
/// print(model.namedParameters().map(\.0)) // ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"]
/// ```
open class Module {
    /// Whether the module is in training mode (dropout active, batch norm using batch statistics).
    public private(set) var isTraining = true

    public init() {}

    /// The direct children with their keys. The default reflects over stored properties; override
    /// it for containers whose children have computed names (``Sequential`` uses `0`, `1`, …).
    open func namedChildren() -> [(String, Module)] {
        var result: [(String, Module)] = []
        forEachProperty { name, value in
            switch value {
            case let m as Module: result.append((name, m))
            case let ms as [Module]: result += ms.enumerated().map { ("\(name).\($0.offset)", $0.element) }
            default: break
            }
        }
        return result
    }

    /// This module's own parameters (not its children's), with their keys.
    public func ownParameters() -> [(String, any ParameterSlot)] {
        var result: [(String, any ParameterSlot)] = []
        forEachProperty { name, value in
            if let p = value as? any ParameterSlot, p.tensor != nil { result.append((p.key ?? name, p)) }
        }
        return result
    }

    /// This module's own buffers, with their keys.
    public func ownBuffers() -> [(String, any BufferSlot)] {
        var result: [(String, any BufferSlot)] = []
        forEachProperty { name, value in
            if let b = value as? any BufferSlot, b.tensor != nil { result.append((b.key ?? name, b)) }
        }
        return result
    }

    /// Calls `body(key, value)` for each stored property, superclass properties first. Property
    /// wrapper storage (`_weight`) is reported under the wrapped name, snake-cased.
    private func forEachProperty(_ body: (String, Any) -> Void) {
        var mirrors: [Mirror] = []
        var m: Mirror? = Mirror(reflecting: self)
        while let current = m {
            mirrors.append(current)
            m = current.superclassMirror
        }
        for mirror in mirrors.reversed() {
            for child in mirror.children {
                guard var label = child.label else { continue }
                if label.hasPrefix("_") { label.removeFirst() }
                if label.hasPrefix("$__lazy_storage_$_") { continue }
                body(snakeCase(label), unwrapOptional(child.value))
            }
        }
    }

    /// Every parameter of this module and its descendants, with dotted keys, in declaration order.
    public func namedParameterSlots(prefix: String = "") -> [(String, any ParameterSlot)] {
        ownParameters().map { (prefix + $0.0, $0.1) }
            + namedChildren().flatMap { $0.1.namedParameterSlots(prefix: prefix + $0.0 + ".") }
    }

    /// Every buffer of this module and its descendants, with dotted keys.
    public func namedBufferSlots(prefix: String = "") -> [(String, any BufferSlot)] {
        ownBuffers().map { (prefix + $0.0, $0.1) }
            + namedChildren().flatMap { $0.1.namedBufferSlots(prefix: prefix + $0.0 + ".") }
    }

    /// Parameters with dotted keys, as in PyTorch's `named_parameters()`.
    public func namedParameters() -> [(String, Tensor)] {
        namedParameterSlots().map { ($0.0, $0.1.tensor!) }
    }

    /// All parameters, trainable or frozen.
    public func parameters() -> [Tensor] { namedParameterSlots().map { $0.1.tensor! } }

    /// The parameters that receive gradients.
    public func trainableParameters() -> [Tensor] {
        namedParameterSlots().filter { !$0.1.isFrozen }.map { $0.1.tensor! }
    }

    /// Buffers with dotted keys.
    public func namedBuffers() -> [(String, Tensor)] {
        namedBufferSlots().map { ($0.0, $0.1.tensor!) }
    }

    /// This module and all its descendants, depth first, with dotted keys (`""` for this one).
    public func namedModules(prefix: String = "") -> [(String, Module)] {
        [(prefix, self)] + namedChildren().flatMap {
            $0.1.namedModules(prefix: prefix.isEmpty ? $0.0 : prefix + "." + $0.0)
        }
    }

    /// Calls `body` on this module and every descendant (for custom initialisation, say).
    public func apply(_ body: (Module) -> Void) {
        for (_, m) in namedModules() { body(m) }
    }

    /// Sets training mode here and in every descendant.
    public func train(_ on: Bool = true) {
        for (_, m) in namedModules() { m.isTraining = on }
    }

    /// Sets evaluation mode here and in every descendant.
    public func eval() { train(false) }

    /// Clears the gradients of every parameter.
    public func zeroGrad() {
        for p in parameters() where p.requiresGrad { p.grad = nil }
    }

    /// Stops gradient flow to every parameter (or restarts it).
    public func freeze(_ frozen: Bool = true) {
        for (_, slot) in namedParameterSlots() { slot.setFrozen(frozen) }
    }

    /// Number of scalar parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }
}

/// A module that maps one tensor to one tensor, so that it can sit in a ``Sequential``.
public protocol Layer: Module {
    func callAsFunction(_ x: Tensor) -> Tensor
}

/// A normalisation layer that can apply the activation that follows it in its own pass over the
/// activations (``Sequential`` fuses a normalisation followed by an ``ActivationLayer``).
public protocol NormalizationLayer: Layer {
    /// The normalisation followed by `activation` (nil: none).
    func callAsFunction(_ x: Tensor, then activation: NormalizationActivation?) -> Tensor
}

/// An activation layer that a ``NormalizationLayer`` before it can apply in its own pass.
public protocol ActivationLayer: Layer {
    /// The activation this layer applies.
    var activation: NormalizationActivation { get }
}

/// `runningMean` → `running_mean`; digits and existing underscores are kept.
func snakeCase(_ name: String) -> String {
    var out = ""
    for ch in name {
        if ch.isUppercase {
            if !out.isEmpty && out.last != "_" { out.append("_") }
            out.append(Character(ch.lowercased()))
        } else {
            out.append(ch)
        }
    }
    return out
}

private func unwrapOptional(_ value: Any) -> Any {
    let mirror = Mirror(reflecting: value)
    guard mirror.displayStyle == .optional else { return value }
    return mirror.children.first.map { unwrapOptional($0.value) } ?? ()
}
