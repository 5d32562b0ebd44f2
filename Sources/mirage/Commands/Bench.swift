import ArgumentParser
import CDNNL
import Foundation
import MirageTensor

extension Mirage {
    /// `mirage bench`: kernel and model speed.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time Mirage's kernels against oneDNN's raw speed.",
            discussion: """
            Targets:
              matmul        Mirage's matmul vs oneDNN's raw dnnl_sgemm on n×n matrices (GFLOP/s).
              elementwise   add, multiply, relu, exp and sum on 2^20 floats (GB/s moved).
              conv          DCGAN's 64→128 4×4 stride-2 convolution on 64 14×14 maps: forward,
                            backward-data and backward-weights (GFLOP/s).

            Examples:
              mirage bench matmul --size 1024
              mirage bench matmul elementwise --json bench.json
            """
        )

        @Argument(help: "What to time: matmul, elementwise.")
        var targets: [Target] = [.matmul, .elementwise]

        @Option(help: "Matrix size n for matmul.")
        var size: Int = 1024

        @Option(help: "Timed repetitions per measurement (after warm-up); the best is kept.")
        var repeats: Int = 20

        @Option(help: "Write the results as one JSON object to this file ('-' for standard output).")
        var json: String?

        enum Target: String, ExpressibleByArgument, CaseIterable {
            case matmul, elementwise, conv
        }

        func validate() throws {
            guard size > 0 else { throw ValidationError("--size must be positive, got \(size)") }
            guard repeats > 0 else { throw ValidationError("--repeats must be positive, got \(repeats)") }
        }

        func run() throws {
            var results: [String: Double] = [:]
            for target in targets {
                switch target {
                case .matmul: results.merge(benchMatmul()) { $1 }
                case .elementwise: results.merge(benchElementwise()) { $1 }
                case .conv: results.merge(benchConv()) { $1 }
                }
            }
            if let json {
                let data = try JSONSerialization.data(withJSONObject: results, options: [.prettyPrinted, .sortedKeys])
                if json == "-" {
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    do { try data.write(to: URL(fileURLWithPath: json)) } catch {
                        throw ValidationError("cannot write \(json): \(error.localizedDescription)")
                    }
                }
            }
        }

        /// Best wall time of `body` over `repeats` runs, after two warm-up runs.
        private func bestSeconds(_ body: () -> Void) -> Double {
            body(); body()
            var best = Double.infinity
            for _ in 0..<repeats {
                let t0 = DispatchTime.now().uptimeNanoseconds
                body()
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
            }
            return best
        }

        private func benchMatmul() -> [String: Double] {
            let n = size
            let g = RandomGenerator(seed: 0)
            let a = Tensor.randn([n, n], generator: g), b = Tensor.randn([n, n], generator: g)
            let flops = 2 * Double(n) * Double(n) * Double(n)
            let mirage = bestSeconds { _ = a.matmul(b) }
            let c = UnsafeMutablePointer<Float>.allocate(capacity: n * n)
            defer { c.deallocate() }
            let raw = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    bestSeconds {
                        _ = dnnl_sgemm(CChar(UInt8(ascii: "N")), CChar(UInt8(ascii: "N")), dnnl_dim_t(n), dnnl_dim_t(n),
                                       dnnl_dim_t(n), 1, pa.baseAddress, dnnl_dim_t(n), pb.baseAddress, dnnl_dim_t(n),
                                       0, c, dnnl_dim_t(n))
                    }
                }
            }
            let mg = flops / mirage / 1e9, sg = flops / raw / 1e9
            print(String(format: "matmul %dx%d: Mirage %.1f GFLOP/s, raw dnnl_sgemm %.1f GFLOP/s, ratio %.2f",
                         n, n, mg, sg, mg / sg))
            return ["size": Double(n), "mirage_gflops": mg, "sgemm_gflops": sg, "ratio": mg / sg]
        }

        private func benchConv() -> [String: Double] {
            let g = RandomGenerator(seed: 2)
            let x = Tensor.randn([64, 64, 14, 14], generator: g).requiringGrad()
            let w = Tensor.randn([128, 64, 4, 4], generator: g).requiringGrad()
            let flops = 2.0 * 64 * 128 * 7 * 7 * 64 * 16
            let forward = bestSeconds { _ = withNoGrad { conv2d(x, w, stride: (2, 2), padding: (1, 1)) } }
            let y = conv2d(x, w, stride: (2, 2), padding: (1, 1))
            let dy = Tensor.randn(y.shape, generator: g)
            let backward = bestSeconds { _ = gradients(of: y, wrt: [x, w], outputGradient: dy) }
            let (fg, bg) = (flops / forward / 1e9, 2 * flops / backward / 1e9)
            print(String(format: "conv 64→128 4×4/2 on 64×14×14: forward %.2f ms (%.1f GFLOP/s), backward %.2f ms (%.1f GFLOP/s)",
                         forward * 1e3, fg, backward * 1e3, bg))
            return ["conv_forward_gflops": fg, "conv_backward_gflops": bg]
        }

        private func benchElementwise() -> [String: Double] {
            let n = 1 << 20
            let g = RandomGenerator(seed: 1)
            let x = Tensor.randn([n], generator: g), y = Tensor.randn([n], generator: g)
            let mb = Double(n * 4)
            let cases: [(String, Double, () -> Void)] = [
                ("add", 3 * mb, { _ = x + y }),
                ("multiply", 3 * mb, { _ = x * y }),
                ("relu", 2 * mb, { _ = x.relu() }),
                ("exp", 2 * mb, { _ = x.exp() }),
                ("sum", mb, { _ = x.sum() }),
            ]
            var out: [String: Double] = [:]
            for (name, bytes, body) in cases {
                let s = bestSeconds(body)
                let gbs = bytes / s / 1e9
                print(String(format: "%-8@ 2^20 floats: %8.1f µs, %6.1f GB/s", name as NSString, s * 1e6, gbs))
                out["\(name)_gbps"] = gbs
            }
            return out
        }
    }
}
