import MirageTensor
import MirageTestSupport
import Testing

/// Shape mismatches stop the process with a message naming the op and both shapes.
@Suite struct ShapeErrorTests {
    static func expectMessage(_ result: ExitTest.Result?, _ expected: String,
                              sourceLocation: SourceLocation = #_sourceLocation) {
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains(expected), "stderr was: \(stderr)", sourceLocation: sourceLocation)
    }

    @Test func broadcastMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
        Self.expectMessage(r, "add: shapes [2, 3] and [4] cannot be broadcast together")
    }

    @Test func matmulMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).matmul(Tensor.zeros([4, 5]))
        }
        Self.expectMessage(r, "matmul: shapes [2, 3] and [4, 5] do not chain (3 vs 4)")
    }

    @Test func convChannelMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros([1, 3, 8, 8]), Tensor.zeros([8, 4, 3, 3]))
        }
        Self.expectMessage(r, "conv2d: input has 3 channels, weight [8, 4, 3, 3] expects 4 (groups=1)")
    }

    @Test func reshapeMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([2, 3]).reshaped([4, -1])
        }
        Self.expectMessage(r, "reshaped: cannot reshape [2, 3] (6 elements) to [4, -1]")
    }
}
