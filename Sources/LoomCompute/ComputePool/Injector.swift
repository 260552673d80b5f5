import LoomSystem
import Synchronization

/// A pool's global FIFO queue for jobs that come from outside its workers (rayon-core's injector): `install`,
/// `spawn` and tasks hopping onto the compute pool use `Injector<JobRef>`; the async pool queues every task job in an
/// `Injector<UnownedJob>`.
///
/// A mutex-protected ring buffer (a pthread mutex, which ThreadSanitizer understands; the standard library's
/// `Mutex` is invisible to it): producers are few (threads handing work to the pool) and each hand-off already
/// pays for a possible wake-up, so a lock costs nothing measurable here; workers check the lock-free `count` first
/// and take the lock only when it says there is something to take.
///
/// ## Memory ordering
/// The ring itself is guarded by the mutex, which orders a producer's writes to the job before a consumer's reads.
/// `count` is a hint kept beside it: producers increment it inside the lock (sequentially consistent, so that the
/// sleep protocol's Dekker check sees it, see `Documentation/Internals/ComputePool.md`), consumers decrement it
/// inside the lock.
package final class Injector<Element: Sendable>: @unchecked Sendable {
    // Sendable: `ring` is only touched between `mutex.lock()` and `mutex.unlock()`; `pending` is atomic.
    package init() {}

    private struct Ring {
        var slots: [Element?] = Array(repeating: nil, count: 64)
        var head = 0
        var count = 0
        var closed = false

        mutating func append(_ job: Element) {
            if self.count == self.slots.count { self.grow() }
            self.slots[(self.head + self.count) & (self.slots.count - 1)] = job
            self.count += 1
        }

        mutating func removeFirst() -> Element? {
            guard self.count > 0 else { return nil }
            let job = self.slots[self.head]
            self.slots[self.head] = nil
            self.head = (self.head + 1) & (self.slots.count - 1)
            self.count -= 1
            return job
        }

        private mutating func grow() {
            var bigger = [Element?](repeating: nil, count: self.slots.count * 2)
            for offset in 0..<self.count { bigger[offset] = self.slots[(self.head + offset) & (self.slots.count - 1)] }
            self.slots = bigger
            self.head = 0
        }
    }

    /// Guarded by `mutex`; `@exclusivity(unchecked)` because the mutex already makes every access exclusive.
    @exclusivity(unchecked) private var ring = Ring()
    /// A plain pthread mutex rather than a `LockedValue`: that generic class lives in another module, where its
    /// `withLock` ran unspecialized on every push and pop.
    private let mutex = PthreadMutex()
    private let pending = Atomic<Int>(0)

    /// The number of queued jobs (a hint outside the lock).
    package var count: Int { self.pending.load(ordering: .sequentiallyConsistent) }

    /// `true` when nothing is queued (a hint).
    package var isEmpty: Bool { self.count == 0 }

    /// Appends a job, unless the injector was closed. The caller then tells the sleep module that there is new work.
    ///
    /// - Returns: `false` if the pool is shutting down and the job was not queued.
    package func push(_ job: Element) -> Bool {
        self.mutex.lock()
        defer { self.mutex.unlock() }
        if self.ring.closed { return false }
        self.ring.append(job)
        // Sequentially consistent: a worker going to sleep re-checks this count after announcing itself.
        self.pending.add(1, ordering: .sequentiallyConsistent)
        return true
    }

    /// Refuses every later push. Jobs already queued stay and are still run.
    package func close() {
        self.mutex.lock()
        defer { self.mutex.unlock() }
        self.ring.closed = true
    }

    /// Takes the oldest job, if any.
    package func pop() -> Element? {
        guard self.pending.load(ordering: .relaxed) > 0 else { return nil }  // Relaxed: a hint; the lock decides.
        self.mutex.lock()
        defer { self.mutex.unlock() }
        guard let job = self.ring.removeFirst() else { return nil }
        self.pending.subtract(1, ordering: .relaxed)  // Relaxed: inside the lock; only a hint for others.
        return job
    }
}

/// The async pool's shared queue of Swift jobs: an ``Injector`` whose methods are compiled here, for `UnownedJob`.
/// The async pool lives in another module, where calls into the generic `Injector` ran unspecialized code that looked
/// up type metadata on every push and pop (about 2 500 instructions per `spawnCompute` round trip,
/// `Benchmarks/callgrind.sh`).
package final class TaskQueue: Sendable {
    private let injector = Injector<UnownedJob>()

    package init() {}

    /// Jobs queued (sequentially consistent, as ``Injector/count``).
    package var count: Int { self.injector.count }

    /// No job is queued (sequentially consistent).
    package var isEmpty: Bool { self.injector.isEmpty }

    /// Queues `job`; `false` once the queue is closed.
    package func push(_ job: UnownedJob) -> Bool { self.injector.push(job) }

    /// The oldest job, or `nil`.
    package func pop() -> UnownedJob? { self.injector.pop() }

    /// Refuses every later push.
    package func close() { self.injector.close() }
}
