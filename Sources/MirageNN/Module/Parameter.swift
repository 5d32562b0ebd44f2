import MirageTensor

/// A type a ``Parameter`` or ``Buffer`` can wrap: a tensor, or an optional tensor for parts a
/// layer may leave out (a bias).
public protocol TensorSlotValue {
    init(slotTensor: Tensor?)
    var slotTensor: Tensor? { get }
}

extension Tensor: TensorSlotValue {
    public init(slotTensor: Tensor?) {
        guard let t = slotTensor else { preconditionFailure("a non-optional parameter cannot be set to nil") }
        self = t
    }
    public var slotTensor: Tensor? { self }
}

extension Optional: TensorSlotValue where Wrapped == Tensor {
    public init(slotTensor: Tensor?) { self = slotTensor }
    public var slotTensor: Tensor? { self }
}

/// What ``Module`` sees of a parameter, whatever its declared type.
public protocol ParameterSlot: AnyObject {
    var key: String? { get }
    var tensor: Tensor? { get set }
    var isFrozen: Bool { get }
    func setFrozen(_ frozen: Bool)
}

/// What ``Module`` sees of a buffer.
public protocol BufferSlot: AnyObject {
    var key: String? { get }
    var tensor: Tensor? { get set }
}

/// Marks a module property as a trainable parameter.
///
/// ``Module`` finds parameters by reflection, so declaring one is all it takes:
///
/// ```swift
/// final class Scale: Module, Layer {
///     @Parameter var weight: Tensor
///     init(features: Int) { self.weight = Tensor.ones([features]) }
///     func callAsFunction(_ x: Tensor) -> Tensor { x * weight }
/// }
/// ```
///
/// The value is stored as a leaf that requires gradients (unless frozen). Its key in
/// ``Module/stateDict()`` is the property name in snake case (`runningMean` → `running_mean`),
/// matching PyTorch; pass `key:` where the names differ. Declare it `Tensor?` for an optional part.
@propertyWrapper
public final class Parameter<Value: TensorSlotValue>: ParameterSlot {
    public let key: String?
    /// Frozen parameters receive no gradients and are skipped by optimizers.
    public private(set) var isFrozen = false
    public var tensor: Tensor?

    public init(wrappedValue: Value, key: String? = nil) {
        self.key = key
        self.tensor = wrappedValue.slotTensor.map { $0.detached().requiringGrad() }
    }

    /// Setting a value of the same shape copies it into the parameter's storage, so that
    /// optimizers built earlier keep updating the parameter the module uses; a value of another
    /// shape (or setting an optional parameter) makes a new leaf.
    public var wrappedValue: Value {
        get { Value(slotTensor: tensor) }
        set {
            guard let value = newValue.slotTensor else {
                tensor = nil
                return
            }
            if let current = tensor, current.shape == value.shape {
                current.assign(value)
            } else {
                let leaf = value.copy().requiringGrad()
                if isFrozen { leaf.setFrozen(true) }
                tensor = leaf
            }
        }
    }

    /// Stops (or restarts) gradient flow to this parameter. The parameter stays the same tensor,
    /// so an optimizer built before freezing updates it again once it is thawed.
    public func setFrozen(_ frozen: Bool) {
        isFrozen = frozen
        tensor?.setFrozen(frozen)
    }
}

/// Marks a module property as a buffer: state saved in checkpoints but not trained, such as
/// batch-norm running statistics.
@propertyWrapper
public final class Buffer<Value: TensorSlotValue>: BufferSlot {
    public let key: String?
    public var tensor: Tensor?

    public init(wrappedValue: Value, key: String? = nil) {
        self.key = key
        self.tensor = wrappedValue.slotTensor?.detached()
    }

    public var wrappedValue: Value {
        get { Value(slotTensor: tensor) }
        set { tensor = newValue.slotTensor?.detached() }
    }
}
