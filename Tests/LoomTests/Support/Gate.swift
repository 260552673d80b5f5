#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A one-shot gate for tests: `open(with:)` once, `wait()` blocks until it is open and returns the value.
/// Built on a pthread mutex and condition variable, so waiting never spins or sleeps a fixed time.
final class Gate<Value: Sendable>: @unchecked Sendable {
    // Sendable: `value` is guarded by `mutex`.
    private var mutex = pthread_mutex_t()
    private var condition = pthread_cond_t()
    private var value: Value?  // Guarded by mutex

    init() {
        pthread_mutex_init(&self.mutex, nil)
        pthread_cond_init(&self.condition, nil)
    }

    deinit {
        pthread_cond_destroy(&self.condition)
        pthread_mutex_destroy(&self.mutex)
    }

    func open(with value: Value) {
        pthread_mutex_lock(&self.mutex)
        self.value = value
        pthread_cond_broadcast(&self.condition)
        pthread_mutex_unlock(&self.mutex)
    }

    func wait() -> Value {
        pthread_mutex_lock(&self.mutex)
        defer { pthread_mutex_unlock(&self.mutex) }
        while true {
            if let value = self.value { return value }
            pthread_cond_wait(&self.condition, &self.mutex)
        }
    }
}
