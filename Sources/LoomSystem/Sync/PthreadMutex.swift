#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A pthread mutex on the heap, for state that a class guards itself (`LockedValue` when a closure-scoped lock
/// reads better). Non-generic, so that calls from other modules need no specialization. Visible to ThreadSanitizer,
/// unlike `Synchronization.Mutex`.
package final class PthreadMutex: @unchecked Sendable {
    // Sendable: the mutex is only used through pthread calls, which are thread-safe.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    package init() {
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

    package func lock() { pthread_mutex_lock(self.mutex) }

    package func unlock() { pthread_mutex_unlock(self.mutex) }
}
