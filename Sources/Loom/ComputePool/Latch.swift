import CLoomLinux
import Synchronization

/// A one-shot signal from the thread that runs a job to the thread waiting for it (rayon-core's latch).
///
/// The waiter is either a compute worker (which keeps running other jobs while it waits, see
/// ``WorkerThread/waitUntil(_:)``) or any other thread (which spins briefly and then parks). Either way it is
/// named by its ``Parker``, which the setter unparks.
///
/// The latch lives inside the job, usually on the waiter's stack, so **the setter must not touch the latch after
/// setting it**: the waiter may return and reuse that memory at once. ``set()`` therefore copies the parker out
/// first, and unparks it afterwards (parker words outlive their threads, see ``Parker``).
///
/// ## Memory ordering
/// `set()` stores with release (sequentially consistent, which implies it) and `probe()` loads with acquire, so the
/// job's result, written before `set()`, is visible to a waiter that saw the latch set. The unpark that follows
/// cannot be lost: ``Parker`` keeps a token if the waiter has not parked yet.
@usableFromInline
struct Latch: ~Copyable, Sendable {
    @usableFromInline
    let state = Atomic<Bool>(false)
    @usableFromInline
    let waiter: Parker

    @inlinable
    init(waiter: Parker) { self.waiter = waiter }

    /// `true` once the latch is set.
    @inlinable
    func probe() -> Bool {
        self.state.load(ordering: .acquiring)  // Acquire: pairs with the store in set().
    }

    /// Sets the latch and wakes the waiter. The latch's memory may be gone as soon as the store is done.
    @inlinable
    func set() {
        let waiter = self.waiter
        // Sequentially consistent (release at least): publishes the job's result; pairs with probe().
        self.state.store(true, ordering: .sequentiallyConsistent)
        Chaos.point()
        waiter.unpark()
    }

    /// Blocks the calling thread, which must be the waiter and not a compute worker, until the latch is set:
    /// spins briefly (a job handed to a spinning worker often finishes within a few microseconds), then parks.
    func waitBlocking() {
        for round in 0..<LoomTuning.blockingSpinRounds {
            if self.probe() { return }
            if round & 15 == 15 { cloom_yield() } else { cloom_cpu_relax() }
        }
        while !self.probe() { self.waiter.park() }
    }
}

/// The count of unfinished work in a scope: the body plus every spawned job. When it drops to zero the scope's
/// latch is set (rayon-core's `CountLatch`).
@usableFromInline
final class CountLatch: Sendable {
    private let count = Atomic<Int>(1)
    private let latch: Latch

    /// - Parameter waiter: the thread that will wait for the count to reach zero.
    @usableFromInline
    init(waiter: Parker) { self.latch = Latch(waiter: waiter) }

    /// Adds one unit of work. Only called by someone who already holds a unit, so the count cannot reach zero
    /// concurrently.
    func increment() {
        self.count.add(1, ordering: .relaxed)  // Relaxed: the caller's own unit keeps the count above zero.
    }

    /// Removes one unit; the last one sets the latch.
    @usableFromInline
    func decrement() {
        // Acquire-release: the last decrement must see every other unit's work (acquire) before setting the latch.
        if self.count.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { self.latch.set() }
    }

    /// `true` once every unit is done.
    @usableFromInline
    func probe() -> Bool { self.latch.probe() }

    /// See ``Latch/waitBlocking()``.
    func waitBlocking() { self.latch.waitBlocking() }
}
