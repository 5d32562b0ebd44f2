import CDNNL

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

    private init() throws {
        var e: dnnl_engine_t?
        try dnnlCheck(dnnl_engine_create(&e, dnnl_cpu, 0), "dnnl_engine_create", "the CPU engine")
        var s: dnnl_stream_t?
        try dnnlCheck(dnnl_stream_create(&s, e, dnnl_stream_default_flags.rawValue), "dnnl_stream_create", "the CPU stream")
        engine = e!
        stream = s!
    }
}

/// A created primitive with its memory objects, ready to run on new buffers.
final class DNNLPrimitive: @unchecked Sendable {
    let primitive: dnnl_primitive_t
    /// (argument kind, memory object) in the order `run` receives buffers.
    let arguments: [(Int32, dnnl_memory_t)]
    let context: String

    init(descriptor: dnnl_primitive_desc_t, argumentKinds: [(Int32, dnnl_query_t)], context: String) throws {
        var p: dnnl_primitive_t?
        try dnnlCheck(dnnl_primitive_create(&p, descriptor), "dnnl_primitive_create", context)
        primitive = p!
        var args: [(Int32, dnnl_memory_t)] = []
        for (kind, query) in argumentKinds {
            guard let md = dnnl_primitive_desc_query_md(descriptor, query, 0) else {
                throw DNNLError(call: "dnnl_primitive_desc_query_md", context: context, status: dnnl_invalid_arguments)
            }
            var m: dnnl_memory_t?
            try dnnlCheck(dnnl_memory_create(&m, md, DNNLContext.shared.engine, nil), "dnnl_memory_create", context)
            args.append((kind, m!))
        }
        arguments = args
        self.context = context
    }

    /// Runs the primitive on `buffers`, one per argument, and waits for it.
    func run(_ buffers: [UnsafeMutableRawPointer]) {
        precondition(buffers.count == arguments.count)
        do {
            var exec: [dnnl_exec_arg_t] = []
            for ((kind, memory), buffer) in zip(arguments, buffers) {
                try dnnlCheck(dnnl_memory_set_data_handle(memory, buffer), "dnnl_memory_set_data_handle", context)
                exec.append(dnnl_exec_arg_t(arg: kind, memory: memory))
            }
            let stream = DNNLContext.shared.stream
            try dnnlCheck(dnnl_primitive_execute(primitive, stream, Int32(exec.count), exec), "dnnl_primitive_execute", context)
            try dnnlCheck(dnnl_stream_wait(stream), "dnnl_stream_wait", context)
        } catch {
            fatalError("\(error)")
        }
    }
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

/// A `dnnl_dims_t` argument: 12 values, as an array so that the C side reads one contiguous buffer
/// (a pointer to a tuple's first element is only promised to cover that element).
func dnnlDims(_ values: [Int]) -> [dnnl_dim_t] {
    precondition(values.count <= 12, "dnnlDims: at most 12 dimensions")
    return values.map { dnnl_dim_t($0) } + Array(repeating: 0, count: 12 - values.count)
}
