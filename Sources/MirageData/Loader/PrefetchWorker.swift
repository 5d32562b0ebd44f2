import Foundation

/// A bounded hand-over queue between one producing thread and one consumer.
///
/// `put` blocks while the queue is full, `take` while it is empty; `close` (the consumer
/// leaving) wakes both and makes every further `put` fail, which is how the producer learns to
/// stop.
final class PrefetchQueue<Element>: @unchecked Sendable {
    private let condition = NSCondition()
    private var buffer: [Element] = []
    private var finished = false
    private var closed = false
    private let capacity: Int

    init(capacity: Int) {
        precondition(capacity > 0, "PrefetchQueue: capacity \(capacity) must be positive")
        self.capacity = capacity
    }

    /// Adds an element, waiting for room; `false` once the consumer has closed the queue.
    func put(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while buffer.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        buffer.append(element)
        condition.broadcast()
        return true
    }

    /// The producer has nothing more to add.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next element, waiting for one; `nil` once the producer finished and all were taken.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while buffer.isEmpty && !finished && !closed { condition.wait() }
        guard !buffer.isEmpty else { return nil }
        let element = buffer.removeFirst()
        condition.broadcast()
        return element
    }

    /// The consumer is gone: drop what is buffered and refuse further elements.
    func close() {
        condition.lock()
        closed = true
        buffer.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the consumer has closed the queue.
    var isClosed: Bool {
        condition.lock()
        defer { condition.unlock() }
        return closed
    }
}

/// The count of prefetch threads alive, for ``DataLoader/runningPrefetchThreads``.
enum PrefetchThreads {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var running = 0

    static var count: Int {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    /// Runs `produce` on a new thread, counting it while it runs.
    static func start(name: String, _ produce: @escaping @Sendable () -> Void) {
        lock.lock()
        running += 1
        lock.unlock()
        let thread = Thread {
            produce()
            lock.lock()
            running -= 1
            lock.unlock()
        }
        thread.name = name
        thread.start()
    }
}
