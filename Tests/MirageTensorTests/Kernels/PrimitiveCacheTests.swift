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
