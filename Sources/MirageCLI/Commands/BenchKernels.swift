import CDNNL
import Foundation
import MirageTensor

/// The kernel targets of `mirage bench`: matmul, element-wise and convolution speed.
extension Mirage.Bench {
    /// Best wall time of `body` over `repeats` runs, after two warm-up runs.
    func bestSeconds(_ body: () -> Void) -> Double {
        body(); body()
        var best = Double.infinity
        for _ in 0..<repeats {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
        }
        return best
    }

    func benchMatmul() -> [String: Double] {
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

    func benchConv() -> [String: Double] {
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

    func benchElementwise() -> [String: Double] {
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
