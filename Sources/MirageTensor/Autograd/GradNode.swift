/// A node of the autograd graph.
///
/// Leaves are tensors the user marked with ``Tensor/requiresGrad``; their gradient accumulates in
/// ``grad`` when ``Tensor/backward(_:createGraph:)`` runs. Op nodes hold the op's inputs' nodes and
/// its derivative rule. The rule is written with tensor ops, so running it with recording on
/// (`createGraph: true`) produces gradients that are themselves differentiable.
public final class GradNode {
    /// The op that produced the tensor (`"leaf"` for leaves); shown in errors and graph dumps.
    public let op: String
    /// Nodes of the op's inputs, `nil` where an input needs no gradient.
    let inputs: [GradNode?]
    /// Maps the gradient of the output (and the output itself) to the gradients of the inputs.
    let backward: ((_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?])?
    /// The output's shape, to check gradients against.
    let shape: [Int]
    /// The output's storage, kept only when the derivative rule reads the output (sigmoid, tanh…).
    let savedOutput: TensorStorage?
    /// The accumulated gradient of a leaf.
    public internal(set) var grad: Tensor?
    /// A frozen leaf takes no part in the graph (ops treat it as a constant) but keeps its
    /// identity, so an optimizer that holds it sees its gradients again once it thaws.
    public internal(set) var isFrozen = false

    init(leafShape shape: [Int]) {
        op = "leaf"
        inputs = []
        backward = nil
        self.shape = shape
        savedOutput = nil
    }

    init(op: String, inputs: [GradNode?], shape: [Int], savedOutput: TensorStorage?,
         backward: @escaping (Tensor, Tensor) -> [Tensor?]) {
        self.op = op
        self.inputs = inputs
        self.shape = shape
        self.savedOutput = savedOutput
        self.backward = backward
    }

    /// Whether this node is a leaf (a tensor marked as requiring gradients).
    public var isLeaf: Bool { backward == nil }
}

extension Tensor {
    /// Whether gradients flow to this tensor. Setting it to `true` makes the tensor a leaf of the
    /// graph (or thaws a frozen one); setting it to `false` detaches it.
    public var requiresGrad: Bool {
        get { node.map { !$0.isFrozen } ?? false }
        set {
            if newValue {
                if let node { node.isFrozen = false } else { node = GradNode(leafShape: shape) }
            } else {
                node = nil
            }
        }
    }

    /// Freezes (or thaws) a leaf in place: while frozen, ops treat it as a constant and no
    /// gradient reaches it; every copy of the tensor, an optimizer's included, sees the change.
    /// This is how MirageNN's `Module` freezes a network for another network's step.
    ///
    /// - Parameter frozen: Whether to freeze.
    public func setFrozen(_ frozen: Bool) {
        guard let node else { preconditionFailure("setFrozen: the tensor of shape \(shape) is not a leaf that requires gradients") }
        precondition(node.isLeaf, "setFrozen: only leaves can be frozen, not the result of \(node.op)")
        node.isFrozen = frozen
    }

    /// Returns this tensor as a new leaf that requires gradients.
    public func requiringGrad() -> Tensor {
        Tensor(storage: storage, shape: shape, node: GradNode(leafShape: shape))
    }

    /// The gradient accumulated by ``backward(_:createGraph:)``, for leaves.
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set {
            precondition(node?.isLeaf ?? false, "grad: only leaves that require gradients hold a gradient")
            node?.grad = newValue
        }
    }

    /// The same values with no gradient history: gradients do not flow through the result.
    public func detached() -> Tensor {
        Tensor(storage: storage, shape: shape, node: nil)
    }

    /// Records an op's result in the graph when recording is on and some input requires gradients.
    ///
    /// - Parameters:
    ///   - op: The op's name, for messages.
    ///   - storage: The result's elements, already computed.
    ///   - shape: The result's shape.
    ///   - inputs: The op's tensor inputs, in the order `backward` returns their gradients.
    ///   - savesOutput: Whether `backward` reads its second argument, the result itself.
    ///   - backward: The derivative rule, written with tensor ops.
    static func record(_ op: String, _ storage: TensorStorage, shape: [Int], inputs: [Tensor],
                       savesOutput: Bool = false,
                       backward: @escaping (_ gradOutput: Tensor, _ output: Tensor) -> [Tensor?]) -> Tensor {
        OpProfile.opEnded(op, elements: storage.count)
        guard GradMode.isEnabled, inputs.contains(where: \.requiresGrad) else {
            return Tensor(storage: storage, shape: shape, node: nil)
        }
        let node = GradNode(op: op, inputs: inputs.map { $0.requiresGrad ? $0.node : nil }, shape: shape,
                            savedOutput: savesOutput ? storage : nil, backward: backward)
        return Tensor(storage: storage, shape: shape, node: node)
    }
}
