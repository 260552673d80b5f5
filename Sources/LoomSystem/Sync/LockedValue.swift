#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a pthread mutex.
///
/// Loom uses this instead of the standard library's `Mutex` because ThreadSanitizer intercepts pthread mutexes
/// but cannot see inside `Synchronization.Mutex` (the standard library is not instrumented), which would make every
/// access to the guarded value look like a data race.
package final class LockedValue<Value>: @unchecked Sendable {
    // Sendable: `value` is only touched between lock and unlock of `mutex`.
    @usableFromInline
    let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Guarded by mutex. `@exclusivity(unchecked)`: the mutex already makes every access exclusive, so the dynamic
    /// exclusivity check (a runtime call on each `withLock`) would only cost time.
    @usableFromInline
    @exclusivity(unchecked) var value: Value

    package init(_ value: Value) {
        self.value = value
        self.mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        self.mutex.initialize(to: pthread_mutex_t())
        let rc = pthread_mutex_init(self.mutex, nil)
        precondition(rc == 0, "pthread_mutex_init failed with error \(rc)")
    }

    deinit {
        pthread_mutex_destroy(self.mutex)
        self.mutex.deinitialize(count: 1)
        self.mutex.deallocate()
    }

    /// Runs `body` with exclusive access to the value.
    @inlinable
    package func withLock<Result, E: Error>(_ body: (inout Value) throws(E) -> Result) throws(E) -> Result {
        pthread_mutex_lock(self.mutex)
        defer { pthread_mutex_unlock(self.mutex) }
        return try body(&self.value)
    }
}
