extension Tensor {
    /// Computes the gradient of this tensor with respect to every leaf that requires gradients and
    /// adds it to the leaf's ``grad``.
    ///
    /// - Parameters:
    ///   - gradient: The gradient of the final objective with respect to this tensor; defaults to
    ///     one, which requires a one-element tensor.
    ///   - createGraph: Record the backward computation so that the gradients can be
    ///     differentiated again (second-order gradients, gradient penalties).
    public func backward(_ gradient: Tensor? = nil, createGraph: Bool = false) {
        guard let root = node else {
            fatalError("backward: tensor of shape \(shape) does not require gradients (no recorded op or leaf leads to it)")
        }
        let seed = gradient ?? seedGradient(op: "backward")
        let leaves = Autograd.run(root: root, seed: seed, targets: nil, createGraph: createGraph)
        for (leaf, g) in leaves {
            leaf.grad = leaf.grad.map { $0 + g } ?? g
        }
    }

    func seedGradient(op: String) -> Tensor {
        shapeCheck(count == 1, "\(op): an implicit gradient needs a one-element output, got shape \(shape); pass the output gradient")
        return Tensor.ones(shape)
    }
}

/// Returns the gradients of `output` with respect to each of `inputs`, without touching any
/// tensor's ``Tensor/grad``.
///
/// With `createGraph: true` the returned gradients carry their own graph, so a function of them
/// (WGAN-GP's gradient penalty, say) can be differentiated again.
///
/// ```swift
/// let x = real.requiringGrad()
/// let g = gradients(of: critic(x).sum(), wrt: [x], createGraph: true)[0]
/// let penalty = ((g.reshaped([n, -1]).norm(axis: 1) - 1).pow(2)).mean()
/// ```
///
/// - Parameters:
///   - output: The tensor to differentiate; one element unless `outputGradient` is given.
///   - inputs: Tensors in `output`'s graph (leaves or intermediate results).
///   - outputGradient: The gradient with respect to `output`; defaults to one.
///   - createGraph: Record the gradient computation for higher-order derivatives.
/// - Returns: One gradient per input, shaped like it; zeros where `output` does not depend on it.
public func gradients(of output: Tensor, wrt inputs: [Tensor], outputGradient: Tensor? = nil,
                      createGraph: Bool = false) -> [Tensor] {
    guard let root = output.node else {
        fatalError("gradients: the output of shape \(output.shape) does not depend on any tensor that requires gradients")
    }
    let targets = inputs.map { input -> GradNode in
        guard let n = input.node else {
            fatalError("gradients: an input of shape \(input.shape) does not require gradients")
        }
        return n
    }
    let seed = outputGradient ?? output.seedGradient(op: "gradients")
    let found = Autograd.run(root: root, seed: seed, targets: targets, createGraph: createGraph)
    var byNode = [ObjectIdentifier: Tensor]()
    for (n, g) in found { byNode[ObjectIdentifier(n)] = g }
    return zip(inputs, targets).map { input, n in byNode[ObjectIdentifier(n)] ?? Tensor.zeros(input.shape) }
}

/// The reverse sweep shared by ``Tensor/backward(_:createGraph:)`` and ``gradients(of:wrt:outputGradient:createGraph:)``.
enum Autograd {
    /// Propagates `seed` from `root` and returns the gradient reaching each target node (each leaf
    /// when `targets` is nil). Only nodes on a path to a target are visited.
    static func run(root: GradNode, seed: Tensor, targets: [GradNode]?,
                    createGraph: Bool) -> [(GradNode, Tensor)] {
        shapeCheck(seed.shape == root.shape || seed.count == elementCount(root.shape),
                   "backward: output gradient has shape \(seed.shape), output has shape \(root.shape)")
        let targetSet = targets.map { Set($0.map(ObjectIdentifier.init)) }
        func isTarget(_ n: GradNode) -> Bool {
            targetSet.map { $0.contains(ObjectIdentifier(n)) } ?? n.isLeaf
        }

        // Iterative post-order DFS: deep graphs (long flows, unrolled samplers) must not overflow the stack.
        var order: [GradNode] = []
        var reaches = [ObjectIdentifier: Bool]()
        var stack: [(GradNode, Int)] = [(root, 0)]
        while let (n, i) = stack.popLast() {
            let id = ObjectIdentifier(n)
            if i == 0 && reaches[id] != nil { continue }
            if i < n.inputs.count {
                stack.append((n, i + 1))
                if let child = n.inputs[i], reaches[ObjectIdentifier(child)] == nil {
                    stack.append((child, 0))
                }
                continue
            }
            if reaches[id] != nil { continue }
            let r = isTarget(n) || n.inputs.contains { $0.map { reaches[ObjectIdentifier($0)] ?? false } ?? false }
            reaches[id] = r
            if r { order.append(n) }
        }

        let sweep = { () -> [(GradNode, Tensor)] in
            var grads = [ObjectIdentifier: Tensor]()
            grads[ObjectIdentifier(root)] = seed.shape == root.shape ? seed : seed.reshaped(root.shape)
            var result: [(GradNode, Tensor)] = []
            for n in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(n)) else { continue }
                if isTarget(n) { result.append((n, g)) }
                guard let rule = n.backward else { continue }
                // The output carries its own node under createGraph, so that derivative rules that
                // read it (sigmoid: g·y·(1−y)) stay differentiable.
                let output = Tensor(storage: n.savedOutput ?? g.storage, shape: n.shape,
                                    node: createGraph && n.savedOutput != nil ? n : nil)
                OpProfile.section(n.op + " backward") { () -> Int in
                    let inputGrads = rule(g, output)
                    precondition(inputGrads.count == n.inputs.count, "\(n.op): derivative returned \(inputGrads.count) gradients for \(n.inputs.count) inputs")
                    for (child, cg) in zip(n.inputs, inputGrads) {
                        guard let child, let cg, reaches[ObjectIdentifier(child)] == true else { continue }
                        shapeCheck(cg.shape == child.shape, "\(n.op): derivative has shape \(cg.shape), its input has shape \(child.shape)")
                        let id = ObjectIdentifier(child)
                        grads[id] = grads[id].map { $0 + cg } ?? cg
                    }
                    return inputGrads.reduce(0) { $0 + ($1?.count ?? 0) } * MemoryLayout<Float>.stride
                }
            }
            return result
        }
        return createGraph ? withGrad(sweep) : withNoGrad(sweep)
    }
}
