import Foundation
import MirageTensor
import Testing

@Suite struct BufferPoolTests {
    /// A training step allocates the sizes of the step before; the pool hands back the freed buffer
    /// itself, untouched (the C heap would have written its list pointers into the first bytes,
    /// and a fresh mapping would read as zeros). An unusual size, so that tests running beside
    /// this one do not take it first.
    @Test func aFreedBufferServesTheNextAllocationOfItsSize() {
        let count = (1 << 18) + 17
        var first: TensorStorage? = TensorStorage(count: count)
        let address = first!.data
        for i in 0..<count { address[i] = Float(i % 251) + 0.5 }
        first = nil
        let second = TensorStorage(count: count)
        #expect(second.data == address)
        #expect((0..<count).allSatisfy { second.data[$0] == Float($0 % 251) + 0.5 })
        let other = TensorStorage(count: count + 1)
        #expect(other.data != address)
    }

    @Test func buffersInUseAreNeverHandedOutTwice() {
        let count = (1 << 17) + 29
        let inUse = NSMutableSet(), lock = NSLock()
        var duplicates = 0
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for _ in 0..<50 {
                let held = (0..<4).map { _ in TensorStorage(count: count, repeating: Float(thread)) }
                // Optimised code may free `held` after its last use; keep it until its keys are out.
                withExtendedLifetime(held) {
                    let keys = held.map { NSNumber(value: UInt(bitPattern: $0.data)) }
                    lock.lock()
                    for key in keys {
                        if inUse.contains(key) { duplicates += 1 }
                        inUse.add(key)
                    }
                    lock.unlock()
                    // Another thread's buffer handed out as ours would show here too.
                    if held.contains(where: { $0.data[count - 1] != Float(thread) }) {
                        lock.lock(); duplicates += 1; lock.unlock()
                    }
                    lock.lock()
                    for key in keys { inUse.remove(key) }
                    lock.unlock()
                }
            }
        }
        #expect(duplicates == 0)
    }
}
