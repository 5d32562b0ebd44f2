import MirageTensor

/// Why a state dict did not fit a module: every problem, not just the first.
public struct StateDictError: Error, CustomStringConvertible {
    /// Keys the module has and the state dict lacks.
    public var missing: [String]
    /// Keys the state dict has and the module lacks.
    public var unexpected: [String]
    /// Keys whose shapes differ: (key, shape in the module, shape in the state dict).
    public var mismatched: [(String, [Int], [Int])]

    public var description: String {
        var parts: [String] = []
        if !missing.isEmpty { parts.append("missing keys: \(missing.joined(separator: ", "))") }
        if !unexpected.isEmpty { parts.append("unexpected keys: \(unexpected.joined(separator: ", "))") }
        if !mismatched.isEmpty {
            parts.append("shape mismatches: " + mismatched.map { "\($0.0) is \($0.1) in the model, \($0.2) in the file" }
                .joined(separator: "; "))
        }
        return "state dict does not fit the model: " + parts.joined(separator: "; ")
    }
}

extension Module {
    /// Parameters and buffers with their dotted keys, as PyTorch's `state_dict()`.
    public func stateDict() -> [(String, Tensor)] {
        namedParameters().map { ($0.0, $0.1.detached()) } + namedBuffers()
    }

    /// Copies values from `state` into this module's parameters and buffers.
    ///
    /// Every key and shape is checked before anything is copied, so a failed load leaves the
    /// module unchanged.
    ///
    /// - Parameters:
    ///   - state: Tensors by dotted key.
    ///   - strict: Reject missing and unexpected keys (shape mismatches are always rejected).
    /// - Throws: ``StateDictError`` listing every missing, unexpected and mis-shaped key.
    public func loadStateDict(_ state: [String: Tensor], strict: Bool = true) throws {
        let params = namedParameterSlots(), buffers = namedBufferSlots()
        var error = StateDictError(missing: [], unexpected: [], mismatched: [])
        var known = Set<String>()
        for (key, value) in params.map({ ($0.0, $0.1.tensor!) }) + buffers.map({ ($0.0, $0.1.tensor!) }) {
            known.insert(key)
            guard let t = state[key] else { error.missing.append(key); continue }
            if t.shape != value.shape { error.mismatched.append((key, value.shape, t.shape)) }
        }
        error.unexpected = state.keys.filter { !known.contains($0) }.sorted()
        if !error.mismatched.isEmpty || (strict && !(error.missing.isEmpty && error.unexpected.isEmpty)) {
            throw error
        }
        withNoGrad {
            for (key, slot) in params { if let t = state[key] { slot.tensor!.assign(t) } }
            for (key, slot) in buffers { if let t = state[key] { slot.tensor!.assign(t) } }
        }
    }
}
