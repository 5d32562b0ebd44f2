import CDNNL
import Foundation

/// A failed oneDNN call: which call, for what, and oneDNN's status.
public struct DNNLError: Error, CustomStringConvertible {
    /// The oneDNN function that failed.
    public let call: String
    /// What Mirage was doing, with the shapes involved.
    public let context: String
    /// oneDNN's status code.
    public let status: dnnl_status_t

    public var description: String {
        let name = switch status {
        case dnnl_out_of_memory: "out of memory"
        case dnnl_invalid_arguments: "invalid arguments"
        case dnnl_unimplemented: "no implementation for these shapes"
        case dnnl_runtime_error: "runtime error"
        default: "status \(status.rawValue)"
        }
        return "oneDNN \(call) failed for \(context): \(name)"
    }
}

@inline(__always)
func dnnlCheck(_ status: dnnl_status_t, _ call: String, _ context: @autoclosure () -> String) throws {
    if status != dnnl_success { throw DNNLError(call: call, context: context(), status: status) }
}

/// The process's oneDNN CPU engine and stream.
final class DNNLContext: @unchecked Sendable {
    static let shared: DNNLContext = {
        do { return try DNNLContext() } catch { fatalError("\(error)") }
    }()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t
    /// Attributes of every primitive: a user-managed scratchpad. oneDNN's own (library-managed)
    /// scratchpad is per thread, so a primitive created on one thread must not run on another;
    /// cached primitives do run on whichever thread asks (tests run in parallel, and an evaluation
    /// may use another thread than training), so each run is handed the shared
    /// ``scratchBuffer(slot:bytes:)`` of ``scratchpadSlot`` instead.
    let attributes: dnnl_primitive_attr_t
    /// The scratch slot that holds primitives' scratchpads (after the argument positions: at
    /// most four arguments, a convolution's input, weight, bias and output).
    static let scratchpadSlot = 4
    /// The scratch slot that holds an operand two primitives share, reordered once for both
    /// (``DNNLPrimitive/runPair(_:_:_:_:shared:)``).
    static let sharedSlot = 5
    /// Held while a primitive runs: the stream and each primitive's memory objects serve one call
    /// at a time (tests call kernels from several threads; training calls them from one).
    let executionLock = NSLock()

    /// Buffers for arguments in oneDNN's own layouts, one per argument position, shared by every
    /// primitive (they run one at a time, under ``executionLock``) and grown to the largest
    /// request. Owning one per primitive kept hundreds of megabytes alive for large batches.
    private var scratch: [(pointer: UnsafeMutableRawPointer, bytes: Int)?] = [nil, nil, nil, nil, nil, nil]

    /// The shared buffer of argument position `slot`, at least `bytes` long. Call under ``executionLock``.
    func scratchBuffer(slot: Int, bytes: Int) -> UnsafeMutableRawPointer {
        if let s = scratch[slot], s.bytes >= bytes { return s.pointer }
        if let s = scratch[slot] { free(s.pointer) }
        var raw: UnsafeMutableRawPointer?
        guard posix_memalign(&raw, 64, bytes) == 0, let raw else {
            fatalError("oneDNN scratch: cannot allocate \(bytes) bytes")
        }
        scratch[slot] = (raw, bytes)
        return raw
    }

    private init() throws {
        var e: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&e, dnnl_cpu, 0), "dnnl_engine_create", "the CPU engine")
        var s: dnnl_stream_t?
        try dnnlCheck(dnnl_stream_create(&s, e, dnnl_stream_default_flags.rawValue), "dnnl_stream_create", "the CPU stream")
        engine = e!
        stream = s!
        var a: dnnl_primitive_attr_t?
        try dnnlCheck(dnnl_primitive_attr_create(&a), "dnnl_primitive_attr_create", "the primitive attributes")
        try dnnlCheck(dnnl_primitive_attr_set_scratchpad_mode(a, dnnl_scratchpad_mode_user), "dnnl_primitive_attr_set_scratchpad_mode",
                      "the primitive attributes")
        attributes = a!
    }
}

/// The scratchpad a primitive asks for (see ``DNNLContext/attributes``): a memory object bound,
/// at each run, to the shared scratch buffer; nil when the primitive needs none.
struct DNNLScratchpad {
    let memory: dnnl_memory_t?
    let bytes: Int

    init(of descriptor: dnnl_primitive_desc_t, context: String) throws {
        guard let md = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0), dnnl_memory_desc_get_size(md) > 0 else {
            memory = nil
            bytes = 0
            return
        }
        var m: dnnl_memory_t?
        try dnnlCheck(dnnl_memory_create(&m, md, DNNLContext.shared.engine, nil), "dnnl_memory_create (scratchpad)", context)
        memory = m!
        bytes = dnnl_memory_desc_get_size(md)
    }

    /// The execution argument, pointed at the shared scratch buffer. Call under the execution lock.
    func argument(context: String) throws -> [dnnl_exec_arg_t] {
        guard let memory else { return [] }
        let buffer = DNNLContext.shared.scratchBuffer(slot: DNNLContext.scratchpadSlot, bytes: bytes)
        try dnnlCheck(dnnl_memory_set_data_handle(memory, buffer), "dnnl_memory_set_data_handle (scratchpad)", context)
        return [dnnl_exec_arg_t(arg: DNNL_ARG_SCRATCHPAD, memory: memory)]
    }

    func destroy() {
        if let memory { dnnl_memory_destroy(memory) }
    }
}

/// A memory object in a layout oneDNN chose, with the reorder that fills it from (or empties it
/// into) a plain row-major buffer through a scratch buffer shared by all primitives.
final class DNNLStagedMemory: @unchecked Sendable {
    let memory: dnnl_memory_t
    /// Reorder between the plain user buffer and `memory`; nil when the layouts are the same.
    let reorder: dnnl_primitive_t?
    let plain: dnnl_memory_t?
    let reorderScratchpad: DNNLScratchpad?
    /// The argument position, which picks the shared scratch buffer (see ``DNNLContext/scratchBuffer(slot:bytes:)``).
    let slot: Int
    /// Size of the data in the chosen layout.
    let bytes: Int
    /// The chosen layout.
    let chosenDescriptor: dnnl_memory_desc_t

    /// - Parameters:
    ///   - chosen: The layout the primitive wants.
    ///   - plainDims: The plain layout of the user's buffer; nil when the user's buffer already
    ///     has the chosen layout (matmul operands described by their strides).
    ///   - toPlain: Whether data flows from `memory` to the user buffer (outputs) or back (inputs).
    init(chosen: UnsafePointer<dnnl_memory_desc_t>, plainDims: [Int]?, toPlain: Bool, slot: Int, context: String) throws {
        let engine = DNNLContext.shared.engine
        var m: dnnl_memory_t?
        try dnnlCheck(dnnl_memory_create(&m, chosen, engine, nil), "dnnl_memory_create", context)
        memory = m!
        self.slot = slot
        bytes = max(dnnl_memory_desc_get_size(chosen), 64)
        chosenDescriptor = chosen.pointee
        guard let plainDims else {
            reorder = nil
            plain = nil
            reorderScratchpad = nil
            return
        }
        var plainMD = try plainDescriptor(plainDims, context: context)
        if dnnl_memory_desc_equal(chosen, &plainMD) != 0 {
            reorder = nil
            plain = nil
            reorderScratchpad = nil
            return
        }
        var p: dnnl_memory_t?
        try dnnlCheck(dnnl_memory_create(&p, &plainMD, engine, nil), "dnnl_memory_create", context)
        plain = p!
        var pd: dnnl_primitive_desc_t?
        let attributes = DNNLContext.shared.attributes
        try dnnlCheck(toPlain ? dnnl_reorder_primitive_desc_create(&pd, chosen, engine, &plainMD, engine, attributes)
                              : dnnl_reorder_primitive_desc_create(&pd, &plainMD, engine, chosen, engine, attributes),
                      "dnnl_reorder_primitive_desc_create", context)
        defer { dnnl_primitive_desc_destroy(pd) }
        reorderScratchpad = try DNNLScratchpad(of: pd!, context: context)
        var r: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&r, pd), "dnnl_primitive_create", context)
        reorder = r!
    }

    deinit {
        reorderScratchpad?.destroy()
        if let reorder { dnnl_primitive_destroy(reorder) }
        if let plain { dnnl_memory_destroy(plain) }
        dnnl_memory_destroy(memory)
    }

    /// Points the primitive's memory at `buffer` (same layout) or at the shared scratch, filling
    /// it from `buffer` first for an input. Call under the execution lock.
    ///
    /// - Parameter slot: The scratch slot to use instead of the argument position's.
    func bind(_ buffer: UnsafeMutableRawPointer, isInput: Bool, slot: Int? = nil, context: String) throws {
        guard let reorder, let plain else {
            try dnnlCheck(dnnl_memory_set_data_handle(memory, buffer), "dnnl_memory_set_data_handle", context)
            return
        }
        let scratch = DNNLContext.shared.scratchBuffer(slot: slot ?? self.slot, bytes: bytes)
        try dnnlCheck(dnnl_memory_set_data_handle(memory, scratch), "dnnl_memory_set_data_handle", context)
        try dnnlCheck(dnnl_memory_set_data_handle(plain, buffer), "dnnl_memory_set_data_handle", context)
        if isInput { try runReorder(reorder, from: plain, to: memory, context: context) }
    }

    /// Whether this input, in its chosen layout, is what `other` holds after binding the same
    /// buffer: both reorder from the plain layout into the same one.
    func hasSameLayout(as other: DNNLStagedMemory) -> Bool {
        guard reorder != nil, other.reorder != nil else { return false }
        var (mine, theirs) = (chosenDescriptor, other.chosenDescriptor)
        return dnnl_memory_desc_equal(&mine, &theirs) != 0
    }

    /// Points the primitive's memory at the shared slot, which an earlier ``bind(_:isInput:slot:context:)``
    /// of an input with the same layout filled. Call under the execution lock.
    func bindAlreadyReordered(context: String) throws {
        let scratch = DNNLContext.shared.scratchBuffer(slot: DNNLContext.sharedSlot, bytes: bytes)
        try dnnlCheck(dnnl_memory_set_data_handle(memory, scratch), "dnnl_memory_set_data_handle", context)
    }

    /// Copies an output from the scratch into the user buffer bound last.
    func finish(context: String) throws {
        guard let reorder, let plain else { return }
        try runReorder(reorder, from: memory, to: plain, context: context)
    }

    private func runReorder(_ r: dnnl_primitive_t, from: dnnl_memory_t, to: dnnl_memory_t, context: String) throws {
        let args = [dnnl_exec_arg_t(arg: DNNL_ARG_FROM, memory: from), dnnl_exec_arg_t(arg: DNNL_ARG_TO, memory: to)]
            + (try reorderScratchpad?.argument(context: context) ?? [])
        try dnnlCheck(dnnl_primitive_execute(r, DNNLContext.shared.stream, Int32(args.count), args), "dnnl_primitive_execute (reorder)", context)
    }
}

/// A created primitive with two or three inputs and one output, each in the layout oneDNN prefers and
/// reordered from or to plain buffers as needed.
final class DNNLPrimitive: @unchecked Sendable {
    let primitive: dnnl_primitive_t
    let arguments: [(kind: Int32, memory: DNNLStagedMemory)]
    let scratchpad: DNNLScratchpad
    let context: String

    /// - Parameter argumentKinds: (argument kind, query for its layout, plain dims), inputs first
    ///   and the output last.
    init(descriptor: dnnl_primitive_desc_t, argumentKinds: [(Int32, dnnl_query_t, [Int]?)], context: String) throws {
        var p: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&p, descriptor), "dnnl_primitive_create", context)
        primitive = p!
        var args: [(Int32, DNNLStagedMemory)] = []
        for (i, (kind, query, dims)) in argumentKinds.enumerated() {
            // A bias is the second of the weights (index 1 of their query).
            guard let md = dnnl_primitive_desc_query_md(descriptor, query, kind == DNNL_ARG_BIAS ? 1 : 0) else {
                throw DNNLError(call: "dnnl_primitive_desc_query_md", context: context, status: dnnl_invalid_arguments)
            }
            args.append((kind, try DNNLStagedMemory(chosen: md, plainDims: dims, toPlain: i == argumentKinds.count - 1,
                                                    slot: i, context: context)))
        }
        arguments = args
        scratchpad = try DNNLScratchpad(of: descriptor, context: context)
        self.context = context
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        scratchpad.destroy()
    }

    /// Runs the primitive on plain `buffers` (inputs, then the output) and waits for it.
    func run(_ buffers: [UnsafeMutableRawPointer]) {
        precondition(buffers.count == arguments.count)
        let lock = DNNLContext.shared.executionLock
        lock.lock()
        defer { lock.unlock() }
        do {
            try execute(buffers, shared: nil)
        } catch {
            fatalError("\(error)")
        }
    }

    /// Runs `first` on `firstBuffers`, then `second` on `secondBuffers`, where input
    /// `shared.first` of the one and input `shared.second` of the other are the same buffer:
    /// reordered once into oneDNN's layout when both want the same one (a convolution's backward
    /// passes both read the output gradient).
    static func runPair(_ first: DNNLPrimitive, _ firstBuffers: [UnsafeMutableRawPointer],
                        _ second: DNNLPrimitive, _ secondBuffers: [UnsafeMutableRawPointer], shared: (first: Int, second: Int)) {
        precondition(firstBuffers[shared.first] == secondBuffers[shared.second], "runPair: the shared inputs differ")
        let lock = DNNLContext.shared.executionLock
        lock.lock()
        defer { lock.unlock() }
        do {
            let reuse = second.arguments[shared.second].memory.hasSameLayout(as: first.arguments[shared.first].memory)
            try first.execute(firstBuffers, shared: reuse ? (shared.first, false) : nil)
            try second.execute(secondBuffers, shared: reuse ? (shared.second, true) : nil)
        } catch {
            fatalError("\(error)")
        }
    }

    /// Binds, runs and waits. `shared`: the input that lives in the shared scratch slot, and
    /// whether it is already there. Call under the execution lock.
    private func execute(_ buffers: [UnsafeMutableRawPointer], shared: (index: Int, filled: Bool)?) throws {
        for (i, (arg, buffer)) in zip(arguments, buffers).enumerated() {
            if let shared, shared.index == i {
                if shared.filled {
                    try arg.memory.bindAlreadyReordered(context: context)
                } else {
                    try arg.memory.bind(buffer, isInput: true, slot: DNNLContext.sharedSlot, context: context)
                }
            } else {
                try arg.memory.bind(buffer, isInput: i < arguments.count - 1, context: context)
            }
        }
        let exec = arguments.map { dnnl_exec_arg_t(arg: $0.kind, memory: $0.memory.memory) } + (try scratchpad.argument(context: context))
        let stream = DNNLContext.shared.stream
        try dnnlCheck(dnnl_primitive_execute(primitive, stream, Int32(exec.count), exec), "dnnl_primitive_execute", context)
        try arguments.last!.memory.finish(context: context)
        try dnnlCheck(dnnl_stream_wait(stream), "dnnl_stream_wait", context)
    }
}

/// A memory descriptor that lets the primitive choose the layout.
func anyLayoutDescriptor(_ dims: [Int], context: String) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dnnlDims(dims), dnnl_f32, dnnl_format_tag_any),
                  "dnnl_memory_desc_init_by_tag", context)
    return md
}

/// Memory descriptor for a plain (row-major) float32 tensor.
func plainDescriptor(_ dims: [Int], context: String) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    let tags: [dnnl_format_tag_t] = [dnnl_a, dnnl_ab, dnnl_abc, dnnl_abcd, dnnl_abcde]
    precondition(dims.count >= 1 && dims.count <= tags.count, "plainDescriptor: rank \(dims.count) unsupported")
    try dnnlCheck(dnnl_memory_desc_init_by_tag(&md, Int32(dims.count), dnnlDims(dims), dnnl_f32, tags[dims.count - 1]),
                  "dnnl_memory_desc_init_by_tag", context)
    return md
}

/// A descriptor of a row-major buffer with the given strides (in elements), for operands read in
/// place, transposed or not.
func stridedDescriptor(_ dims: [Int], strides: [Int], context: String) throws -> dnnl_memory_desc_t {
    var md = dnnl_memory_desc_t()
    try dnnlCheck(dnnl_memory_desc_init_by_strides(&md, Int32(dims.count), dnnlDims(dims), dnnl_f32, dnnlDims(strides)),
                  "dnnl_memory_desc_init_by_strides", context)
    return md
}

/// A `dnnl_dims_t` argument: 12 values, as an array so that the C side reads one contiguous buffer
/// (a pointer to a tuple's first element is only promised to cover that element).
func dnnlDims(_ values: [Int]) -> [dnnl_dim_t] {
    precondition(values.count <= 12, "dnnlDims: at most 12 dimensions")
    return values.map { dnnl_dim_t($0) } + Array(repeating: 0, count: 12 - values.count)
}
