#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Whether ops record themselves in the autograd graph, per thread.
public enum GradMode {
    // A pthread key rather than a global: data-loading threads must not see the training
    // thread's no-gradient scopes, nor the reverse.
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// `true` unless inside ``withNoGrad(_:)`` on this thread.
    public static var isEnabled: Bool {
        get { pthread_getspecific(key) == nil }
        set { pthread_setspecific(key, newValue ? nil : UnsafeRawPointer(bitPattern: 1)) }
    }
}

/// Runs `body` without recording ops in the autograd graph: for sampling, evaluation, EMA
/// updates and optimizer steps.
///
/// ```swift
/// let samples = withNoGrad { generator(z) }
/// ```
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let was = GradMode.isEnabled
    GradMode.isEnabled = false
    defer { GradMode.isEnabled = was }
    return try body()
}

/// Runs `body` with recording on, even inside ``withNoGrad(_:)``.
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let was = GradMode.isEnabled
    GradMode.isEnabled = true
    defer { GradMode.isEnabled = was }
    return try body()
}
