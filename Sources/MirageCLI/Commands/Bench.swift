import ArgumentParser
import Foundation
import MirageModels
import MirageTensor

extension Mirage {
    /// `mirage bench`: training-step speed of the benchmark models against the PyTorch peer, and
    /// kernel speed against oneDNN's raw GEMM.
    struct Bench: ParsableCommand {
        static var configuration: CommandConfiguration { CommandConfiguration(
            abstract: "Time the benchmark models' training steps (against the PyTorch peer) and Mirage's kernels.",
            discussion: """
            Models, as each model kind offers them (one training step each, batch 64, \
            shapes of shared/BENCHMARKS.md; *_sample_* time a sampling call, *_256 a step \
            at 3×256×256 and batch 1, the papers' setting; those are timed steps/5 times, \
            at least 3): \(ModelBenchmark.all.map(\.name).joined(separator: ", ")).

            Each model runs in a fresh process: 3 warm-up steps, then the median step
            time over the timed steps, and the process's peak resident memory. With
            --peer, the PyTorch peer (scripts/peer/bench_peer.py) times the same model
            right after, in the same run; the two alternate for --rounds rounds and
            each keeps its fastest. ratio = peer ms / Mirage ms: above 1, Mirage
            is faster. GFLOP/s counts the step's matmul and convolution work; % sgemm
            compares it with raw dnnl_sgemm at n=1024, measured in the same run. The
            header names the instruction set of Mirage's own loops (avx2 where the CPU
            has AVX2 and FMA); MIRAGE_INSTRUCTION_SET=portable times the baseline build.

            Kernels:
              matmul        Mirage's matmul vs raw dnnl_sgemm on n×n matrices.
              elementwise   add, multiply, relu, exp and sum on 2^20 floats (GB/s).
              conv          DCGAN's 64→128 4×4 stride-2 convolution (GFLOP/s).

            Examples:
              mirage bench --peer /tmp/torchenv/bin/python --json bench.json
              mirage bench dcgan vae --steps 50
              mirage bench matmul --size 1024
            """
        ) }

        @Argument(help: ArgumentHelp("What to time: model names or kernels (default: every model).",
                                     valueName: "target"))
        var targets: [Target] = ModelBenchmark.all.map(Target.model)

        @Option(help: "Timed steps per model (3× for mlp_gan, 5× for vae, steps/5 for sampling, as the peer).")
        var steps: Int = 30

        @Option(help: "Rounds per model, alternating Mirage and the peer; each side keeps its fastest round.")
        var rounds: Int = 3

        @Option(help: "Threads for oneDNN and Mirage, and for the peer.")
        var threads: Int = 2

        @Option(help: ArgumentHelp("A Python with torch installed: also time the PyTorch peer of each model.",
                                   valueName: "python"))
        var peer: String?

        @Option(help: ArgumentHelp("The peer script (default: scripts/peer/bench_peer.py of this checkout).",
                                   valueName: "path"))
        var peerScript: String?

        @Option(help: "Matrix size n for the matmul kernel.")
        var size: Int = 1024

        @Option(help: "Timed repetitions per kernel measurement (after warm-up); the best is kept.")
        var repeats: Int = 20

        @Option(help: "Write the results as one JSON object to this file ('-' for standard output).")
        var json: String?

        @Flag(help: "Also time each model's step op by op (OpProfile) and print its top ops by time, with their calls and result bytes per step (the step times then include the profiler's clock reads).")
        var profile = false

        /// Set on the child process that times one model (or raw sgemm) and prints a JSON line.
        @Option(help: .hidden)
        var worker: String?

        enum Kernel: String, CaseIterable {
            case matmul, elementwise, conv
        }

        enum Target: ExpressibleByArgument {
            case model(ModelBenchmark)
            case kernel(Kernel)

            init?(argument: String) {
                if let m = ModelBenchmark.named(argument) { self = .model(m) }
                else if let k = Kernel(rawValue: argument) { self = .kernel(k) }
                else { return nil }
            }

            static var allValueStrings: [String] {
                ModelBenchmark.all.map(\.name) + Kernel.allCases.map(\.rawValue)
            }

            var defaultValueDescription: String {
                switch self {
                case .model(let m): return m.name
                case .kernel(let k): return k.rawValue
                }
            }
        }

        func validate() throws {
            guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
            guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
            guard steps > 0 else { throw ValidationError("--steps must be positive, got \(steps)") }
            guard rounds > 0 else { throw ValidationError("--rounds must be positive, got \(rounds)") }
            guard threads > 0 else { throw ValidationError("--threads must be positive, got \(threads)") }
        }

        func run() throws {
            if let worker {
                try runWorker(worker)
                return
            }
            var report: [String: Any] = [:]
            let models = targets.compactMap { if case .model(let m) = $0 { return m } else { return nil } }
            if !models.isEmpty {
                report.merge(try benchModels(models)) { $1 }
            }
            var kernels: [String: Double] = [:]
            for case .kernel(let k) in targets {
                switch k {
                case .matmul: kernels.merge(benchMatmul()) { $1 }
                case .elementwise: kernels.merge(benchElementwise()) { $1 }
                case .conv: kernels.merge(benchConv()) { $1 }
                }
            }
            if !kernels.isEmpty { report["kernels"] = kernels }
            if let json {
                let data = try JSONSerialization.data(withJSONObject: report, options: [.prettyPrinted, .sortedKeys])
                if json == "-" {
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    do { try data.write(to: URL(fileURLWithPath: json)) } catch {
                        throw ValidationError("cannot write \(json): \(error.localizedDescription)")
                    }
                }
            }
        }
    }
}
