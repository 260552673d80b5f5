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
package final class Injector<Element: Sendable>: Sendable {
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

    private let ring = LockedValue(Ring())
    private let pending = Atomic<Int>(0)

    /// The number of queued jobs (a hint outside the lock).
    package var count: Int { self.pending.load(ordering: .sequentiallyConsistent) }

    /// `true` when nothing is queued (a hint).
    package var isEmpty: Bool { self.count == 0 }

    /// Appends a job, unless the injector was closed. The caller then tells the sleep module that there is new work.
    ///
    /// - Returns: `false` if the pool is shutting down and the job was not queued.
    package func push(_ job: Element) -> Bool {
        self.ring.withLock { ring in
            if ring.closed { return false }
            ring.append(job)
            // Sequentially consistent: a worker going to sleep re-checks this count after announcing itself.
            self.pending.add(1, ordering: .sequentiallyConsistent)
            return true
        }
    }

    /// Refuses every later push. Jobs already queued stay and are still run.
    package func close() {
        self.ring.withLock { $0.closed = true }
    }

    /// Takes the oldest job, if any.
    package func pop() -> Element? {
        guard self.pending.load(ordering: .relaxed) > 0 else { return nil }  // Relaxed: a hint; the lock decides.
        return self.ring.withLock { ring in
            guard let job = ring.removeFirst() else { return nil }
            self.pending.subtract(1, ordering: .relaxed)  // Relaxed: inside the lock; only a hint for others.
            return job
        }
    }
}
