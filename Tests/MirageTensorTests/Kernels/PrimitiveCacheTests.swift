import MirageTensor
import MirageTestSupport
import Testing

@Suite(.serialized) struct PrimitiveCacheTests {
    /// 300 matrix shapes (a sweep of batch sizes) each create a oneDNN primitive; the cache keeps
    /// at most `cacheCapacity` of them, and a shape whose primitive was dropped still computes
    /// the right product when it comes back.
    @Test func theCacheStaysBoundedAndCorrect() throws {
        let backend = try #require(Kernels.backend as? OneDNNBackend)
        let w = Tensor.randn([7, 5], generator: RandomGenerator(seed: 1))
        for rows in 1...300 {
            _ = Tensor.ones([rows, 7]).matmul(w)
            #expect(backend.cachedPrimitiveCount <= OneDNNBackend.cacheCapacity)
        }
        #expect(backend.cachedPrimitiveCount > 100, "the sweep should have filled the cache")
        // The first shapes were evicted long ago; they are created again and still right.
        let x = Tensor.randn([1, 7], generator: RandomGenerator(seed: 2))
        let expected = (0..<5).map { j in (0..<7).reduce(Float(0)) { $0 + x.scalars[$1] * w.scalars[$1 * 5 + j] } }
        expectClose(x.matmul(w), expected, shape: [1, 5], atol: 1e-5)
    }
}

/// Cached primitives run on whichever thread asks for them. oneDNN's own scratchpad belongs to
/// the thread that created a primitive, which crashed runs on other threads once that thread had
/// gone (seen as segfaults when parallel tests shared tiny convolutions); the backend now hands
/// every run a scratchpad of its own.
@Suite struct PrimitiveThreadingTests {
    /// One convolution's three passes on tiny inputs, checked against a reference computed here.
    static func run(_ channels: Int, seed: UInt64) -> (Tensor, Tensor) {
        let x = Tensor.randn([1, channels, 2, 2], generator: RandomGenerator(seed: seed)).requiringGrad()
        let w = Tensor.randn([channels + 2, channels, 3, 3], generator: RandomGenerator(seed: seed + 1)).requiringGrad()
        let y = conv2d(x, w, padding: (1, 1))
        let g = gradients(of: (y * y).sum(), wrt: [x, w])
        return (g[0], g[1])
    }

    @Test func primitivesRunOnThreadsOtherThanTheirCreators() async {
        let shapes = Array(2...9)
        // The reference: every shape on this thread.
        let expected = shapes.map { Self.run($0, seed: UInt64($0)) }
        // Each shape again from many short-lived threads at once, several times over.
        for _ in 0..<6 {
            await withTaskGroup(of: (Int, Tensor, Tensor).self) { group in
                for (i, c) in shapes.enumerated() {
                    group.addTask { let (gx, gw) = Self.run(c, seed: UInt64(c)); return (i, gx, gw) }
                }
                for await (i, gx, gw) in group {
                    #expect(gx.scalars == expected[i].0.scalars && gw.scalars == expected[i].1.scalars, "shape \(shapes[i]) differs across threads")
                }
            }
        }
    }
}
