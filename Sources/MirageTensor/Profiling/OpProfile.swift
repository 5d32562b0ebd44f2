import Foundation

/// Where a computation's time goes, op by op: while on, every tensor op adds its time, its calls
/// and the bytes of its result to its row; each derivative rule of a backward pass adds its whole
/// time (the ops it runs and the sums of the gradients) and the bytes of the gradients it made to
/// a row `"<op> backward"`; and a ``section(_:_:)`` (an optimizer's step) is a row of its own.
///
/// A row's time runs from the end of the op or section before it to its own end, so it holds the
/// op's kernels and any work before it that is neither an op nor a section; with the optimizers'
/// steps as sections, a training step's rows add up to nearly all of it. Use it to find the ops
/// worth speeding up (`mirage bench MODEL --profile`), not as a precise timer: while on it takes
/// a lock and reads the clock per op; while off it costs a flag check. It follows the thread that
/// called ``start()``: ops that other threads run at the same time (other work in the process)
/// neither add rows nor disturb its sections.
///
/// ```swift
/// OpProfile.start()
/// let loss = model(x).mean()
/// loss.backward()
/// for row in OpProfile.stop().prefix(10) { print(row.op, row.seconds) }
/// ```
public enum OpProfile {
    /// One op's total over the profiled span.
    public struct Row: Sendable, Equatable {
        /// The op's name (`matmul`, `conv2d`, …), or `"<op> backward"` for its derivative rule.
        public var op: String
        /// How many times it ran.
        public var calls: Int
        /// Its time, in seconds.
        public var seconds: Double
        /// The bytes of the results it wrote (for a backward row: of the gradients it produced).
        public var bytes: Int
    }

    private static let lock = NSLock()
    nonisolated(unsafe) private static var on = false
    nonisolated(unsafe) private static var rows: [String: Row] = [:]
    nonisolated(unsafe) private static var last: UInt64 = 0
    nonisolated(unsafe) private static var depth = 0
    nonisolated(unsafe) private static var thread: pthread_t?

    /// Whether ops are being profiled.
    public static var isOn: Bool { lock.withLock { on } }

    /// Clears the rows and starts profiling the ops this thread runs.
    public static func start() {
        lock.withLock {
            rows = [:]
            depth = 0
            thread = pthread_self()
            last = DispatchTime.now().uptimeNanoseconds
            on = true
        }
    }

    /// Stops profiling and returns the rows, the most time first.
    @discardableResult
    public static func stop() -> [Row] {
        lock.withLock {
            on = false
            return rows.values.sorted { $0.seconds != $1.seconds ? $0.seconds > $1.seconds : $0.op < $1.op }
        }
    }

    /// An op has written its result of `elements` floats.
    static func opEnded(_ op: String, elements: Int) {
        guard on else { return }
        lock.withLock {
            guard isProfiled, depth == 0 else { return }
            add(op, bytes: elements * MemoryLayout<Float>.stride)
        }
    }

    /// Whether profiling is on and this is the thread it follows; the lock is held.
    private static var isProfiled: Bool {
        on && thread.map { pthread_equal($0, pthread_self()) != 0 } ?? false
    }

    /// Runs `body` as one row named `name`: its whole time, the ops it runs included (they get no
    /// rows of their own), from the end of the op before it. For work that is not an op, such as
    /// an optimizer's in-place update, whose time would otherwise go to the op after it.
    /// The name is only built while profiling is on.
    public static func section<R>(_ name: @autoclosure () -> String, _ body: () throws -> R) rethrows -> R {
        var result: R?
        try section(name()) { () throws -> Int in
            result = try body()
            return 0
        }
        return result!
    }

    /// A section (a derivative rule is one, `"<op> backward"`) whose `body` returns the bytes it wrote.
    static func section(_ name: @autoclosure () -> String, _ body: () throws -> Int) rethrows {
        // Whether this is the outermost section, or nil when this thread is not being profiled.
        let outermost = on ? lock.withLock { () -> Bool? in
            guard isProfiled else { return nil }
            defer { depth += 1 }
            return depth == 0
        } : nil
        guard let outer = outermost else { _ = try body(); return }
        var bytes = 0
        defer {
            lock.withLock {
                depth -= 1
                // A section inside another (a backward pass within a derivative rule) counts in the outer one.
                if outer, on { add(name(), bytes: bytes) }
            }
        }
        bytes = try body()
    }

    /// Adds the time since the last op to `op`'s row; the lock is held.
    private static func add(_ op: String, bytes: Int) {
        let now = DispatchTime.now().uptimeNanoseconds
        var row = rows[op] ?? Row(op: op, calls: 0, seconds: 0, bytes: 0)
        row.calls += 1
        row.seconds += Double(now &- last) * 1e-9
        row.bytes += bytes
        rows[op] = row
        last = now
    }
}
