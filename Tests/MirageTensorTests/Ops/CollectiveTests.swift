import MirageTensor
import MirageTestSupport
import Testing

/// `summedAcrossProcesses` against a stand-in for two processes holding the same tensor: the
/// all-reduce doubles the buffer, so y = 2x and every gradient must double too.
@Suite struct CollectiveTests {
    static let twoCopies: @Sendable (UnsafeMutableBufferPointer<Float>) -> Void = { buffer in
        for i in buffer.indices { buffer[i] *= 2 }
    }

    @Test func sumAcrossProcessesAndItsGradients() {
        let x = GradCheck.input([3, 4], seed: 1)
        #expect(x.summedAcrossProcesses(Self.twoCopies).scalars == (x * 2).scalars)
        #expect(x.summedAcrossProcesses { _ in }.scalars == x.scalars, "one process: the identity")
        GradCheck.check([x]) { $0[0].summedAcrossProcesses(Self.twoCopies).pow(2) }
        GradCheck.checkSecondOrder([x]) { ($0[0].summedAcrossProcesses(Self.twoCopies) * $0[0]).pow(2) }
    }
}
