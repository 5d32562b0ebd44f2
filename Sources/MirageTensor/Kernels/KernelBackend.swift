#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CDNNL
import CMirageKernels

/// Geometry of a 2-D convolution in NCHW layout, weights `[out, in/groups, kH, kW]`.
public struct ConvGeometry: Hashable, Sendable {
    public var batch: Int, inChannels: Int, inHeight: Int, inWidth: Int
    public var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    public var outHeight: Int, outWidth: Int
    public var strideH: Int, strideW: Int
    public var padH: Int, padW: Int
    public var groups: Int

    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int, outChannels: Int, kernelHeight: Int,
                kernelWidth: Int, outHeight: Int, outWidth: Int, strideH: Int, strideW: Int, padH: Int, padW: Int,
                groups: Int) {
        self.batch = batch
        self.inChannels = inChannels
        self.inHeight = inHeight
        self.inWidth = inWidth
        self.outChannels = outChannels
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.outHeight = outHeight
        self.outWidth = outWidth
        self.strideH = strideH
        self.strideW = strideW
        self.padH = padH
        self.padW = padW
        self.groups = groups
    }

    public var inputShape: [Int] { [batch, inChannels, inHeight, inWidth] }
    public var weightShape: [Int] { [outChannels, inChannels / groups, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// Multiply-adds of one forward pass.
    public var macs: Int {
        batch * outChannels * outHeight * outWidth * (inChannels / groups) * kernelHeight * kernelWidth
    }
}

/// The three passes of a convolution. Each is linear in each of its two operands.
public enum ConvPass: Hashable, Sendable {
    /// `output = conv(input, weight)`.
    case forward
    /// `input-gradient = convᵀ(outputGradient, weight)`, the transposed convolution.
    case backwardData
    /// `weight-gradient = corr(input, outputGradient)`.
    case backwardWeights
}

/// The few compute kernels Mirage takes from a vendor library. Keeping this narrow lets a second
/// backend (cuBLAS/cuDNN, Accelerate) stand beside oneDNN without touching the ops above.
public protocol KernelBackend: Sendable {
    /// Row-major single-precision GEMM: `C = alpha·op(A)·op(B) + beta·C`, `op(A)` of size m×k.
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
              a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
              beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int)

    /// Runs one convolution pass over contiguous NCHW buffers. The pass writes (overwrites)
    /// `output`; for `.forward` the operands are (input, weight), for `.backwardData`
    /// (outputGradient, weight), for `.backwardWeights` (input, outputGradient).
    ///
    /// - Parameter bias: One value per channel of `output` added to it, for `.forward` (per
    ///   output channel) and `.backwardData` (per input channel: a transposed convolution's
    ///   bias); nil for none, and always nil for `.backwardWeights`.
    func convolution(_ pass: ConvPass, _ geometry: ConvGeometry,
                     _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>)

    /// Two passes of one convolution that read the same buffer (see the extension's default).
    func convolutions(_ geometry: ConvGeometry, _ a: ConvolutionCall, _ b: ConvolutionCall,
                      sharing: (first: Int, second: Int))
}

/// One convolution pass's operands and output, for ``KernelBackend/convolutions(_:_:_:sharing:)``.
public struct ConvolutionCall {
    public var pass: ConvPass
    public var first: UnsafePointer<Float>, second: UnsafePointer<Float>
    public var output: UnsafeMutablePointer<Float>

    public init(_ pass: ConvPass, _ first: UnsafePointer<Float>, _ second: UnsafePointer<Float>,
                output: UnsafeMutablePointer<Float>) {
        (self.pass, self.first, self.second, self.output) = (pass, first, second, output)
    }
}

extension KernelBackend {
    /// Runs two passes of one convolution, without bias, whose operands `sharing.first` (0 or 1)
    /// of `a` and `sharing.second` of `b` are the same buffer: a convolution's backward rule
    /// (input and weight gradients both read the output gradient). A backend may prepare that
    /// operand once for both; by default the passes run one after the other.
    public func convolutions(_ geometry: ConvGeometry, _ a: ConvolutionCall, _ b: ConvolutionCall,
                             sharing: (first: Int, second: Int)) {
        for call in [a, b] {
            convolution(call.pass, geometry, call.first, call.second, bias: nil, output: call.output)
        }
    }
}

/// Process-wide kernel settings.
public enum Kernels {
    /// The backend every op uses. A constant: ops on several threads read it, and a backend
    /// swapped mid-run would mix kernels (a second backend is chosen here, at build time).
    public static let backend: any KernelBackend = OneDNNBackend()

    /// Floating-point operations (two per multiply-add) done by matrix products and convolutions
    /// called from this thread since it started. `mirage bench` reads its change over a step to
    /// report GFLOP/s. Per thread, so that work on other threads never enters a measurement.
    public static var flopCount: Int { FlopCounter.current.pointee }

    /// Adds `flops` to this thread's ``flopCount``.
    @inline(__always)
    static func countFlops(_ flops: Int) { FlopCounter.current.pointee &+= flops }

    /// The instruction set of Mirage's own vector loops (CMirageKernels): `"avx2"` (AVX2 with
    /// FMA) or `"portable"` (the architecture's baseline), the best this CPU supports unless the
    /// environment variable `MIRAGE_INSTRUCTION_SET` names another that it supports. oneDNN
    /// chooses its own at run time too.
    public static var instructionSet: String {
        switch mirage_instruction_set() {
        case .portable: "portable"
        case .AVX2: "avx2"
        }
    }

    /// Threads for Swift's own element-wise kernels: `OMP_NUM_THREADS` when set (so one setting
    /// governs oneDNN's OpenMP pool and ours), else the number of cores.
    nonisolated(unsafe) public private(set) static var threadCount: Int = {
        if let s = getenv("OMP_NUM_THREADS"), let n = Int(String(cString: s)), n > 0 { return n }
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }()

    /// Uses `count` threads from now on, for oneDNN's OpenMP pool and Swift's own kernels alike
    /// (what `OMP_NUM_THREADS` sets at start-up).
    ///
    /// - Parameter count: The number of threads, 1 or more.
    public static func setThreadCount(_ count: Int) {
        precondition(count > 0, "Kernels.setThreadCount: \(count) threads; need at least 1")
        threadCount = count
        omp_set_num_threads(Int32(count))
    }
}

/// Per-thread FLOP counters, kept under a pthread key like ``GradMode``.
enum FlopCounter {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { $0?.deallocate() }
        return k
    }()

    static var current: UnsafeMutablePointer<Int> {
        if let p = pthread_getspecific(key) { return p.assumingMemoryBound(to: Int.self) }
        let p = UnsafeMutablePointer<Int>.allocate(capacity: 1)
        p.initialize(to: 0)
        pthread_setspecific(key, p)
        return p
    }
}
