import Foundation
import MirageTensor
import Testing

/// `OpProfile` counts each op's calls and result bytes exactly, gives each derivative rule a
/// backward row, accounts for the time spent between start and stop, and records nothing when off.
@Suite(.serialized) struct OpProfileTests {
    @Test func rowsCountOpsAndTheirResults() {
        let x = Tensor.randn([64, 32], generator: RandomGenerator(seed: 1)).requiringGrad()
        let w = Tensor.randn([32, 16], generator: RandomGenerator(seed: 2)).requiringGrad()
        _ = x.matmul(w)  // before start: not counted
        let started = Date()
        OpProfile.start()
        let loss = x.matmul(w).relu().sum()
        let second = x.matmul(w).sum()
        (loss + second).backward()
        let rows = OpProfile.stop()
        let wall = Date().timeIntervalSince(started)
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.op, $0) })
        #expect(byName["matmul"]?.calls == 2)
        #expect(byName["matmul"]?.bytes == 2 * 64 * 16 * 4)
        #expect(byName["relu"]?.calls == 1 && byName["relu"]?.bytes == 64 * 16 * 4)
        #expect(byName["sum"]?.calls == 2 && byName["sum"]?.bytes == 2 * 4)
        #expect(byName["add"]?.calls == 1)
        // Each node of the graph runs its rule once, and its row holds the gradients it made.
        #expect(byName["matmul backward"]?.calls == 2 && byName["matmul backward"]?.bytes == 2 * (64 * 32 + 32 * 16) * 4)
        #expect(byName["relu backward"]?.calls == 1 && byName["relu backward"]?.bytes == 64 * 16 * 4)
        #expect(byName["sum backward"]?.calls == 2)
        // The ops a rule runs (expand for sum's) are in its row, not in rows of their own.
        #expect(byName["expand"] == nil, "\(rows)")
        // Rows hold time spent between start and stop, most first.
        let total = rows.map(\.seconds).reduce(0, +)
        #expect(total > 0 && total <= wall)
        #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.seconds >= $1.seconds })
    }

    /// A section is one row with everything inside it, and returns its body's value.
    @Test func aSectionIsOneRow() {
        let a = Tensor.randn([16, 16], generator: RandomGenerator(seed: 4))
        OpProfile.start()
        let product = OpProfile.section("update") { OpProfile.section("inner") { a.matmul(a) } }
        _ = product.sum()
        let rows = OpProfile.stop()
        #expect(product.shape == [16, 16])
        #expect(rows.map(\.op).sorted() == ["sum", "update"], "\(rows)")
        #expect(rows.first { $0.op == "update" }?.calls == 1)
    }

    /// Ops another thread runs meanwhile (another test, say) add no rows.
    @Test func onlyTheStartingThreadIsProfiled() {
        OpProfile.start()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            let b = Tensor.randn([8, 8], generator: RandomGenerator(seed: 5))
            _ = OpProfile.section("elsewhere") { b.matmul(b) }
            done.signal()
        }
        done.wait()
        _ = Tensor.randn([4], generator: RandomGenerator(seed: 6)).sum()
        #expect(OpProfile.stop().map(\.op) == ["sum"])
    }

    @Test func nothingIsRecordedWhenOff() {
        OpProfile.start()
        OpProfile.stop()
        let a = Tensor.randn([8, 8], generator: RandomGenerator(seed: 3))
        _ = a.matmul(a).sum()
        OpProfile.start()
        #expect(OpProfile.stop().isEmpty)
        #expect(!OpProfile.isOn)
    }
}
