import CLoomSystem
import LoomSystem
import Synchronization

/// Who waits on a latch, and how its setter wakes that thread.
///
/// A compute worker waits through its pool's sleep protocol, so its setter wakes it the way a publisher does: it
/// *claims* the worker's sleeper word and wakes it only if the claim succeeds (``Sleep/wake(member:)``, rayon's
/// `wake_specific_thread`). A thread outside every pool has no sleeper word and is unparked (its ``Parker``).
@usableFromInline
package struct LatchWaiter: @unchecked Sendable {
    // Sendable: a parker word lives forever; the sleep state is kept alive as described on `sleep`.

    /// The waiting thread's parker (a thread outside every pool; unused for a worker).
    @usableFromInline
    package let parker: Parker?
    /// The waiting worker's pool's sleep state, or `nil` for a thread outside every pool. Unretained: the waiter
    /// cannot return before the latch is set, so its pool is alive until the setter's swap; after the swap, a setter
    /// of the *same* pool keeps it alive by being one of its running threads, and a setter of another pool retains it
    /// first (``isCrossPool``).
    @usableFromInline
    package let sleep: Unmanaged<Sleep>?
    /// The waiting worker's index in its pool's sleep state.
    @usableFromInline
    package let member: Int
    /// The setter runs on another pool than the waiting worker (`install` from a worker of another pool).
    @usableFromInline
    package let isCrossPool: Bool

    @inlinable
    package init(parker: Parker?, sleep: Unmanaged<Sleep>?, member: Int, isCrossPool: Bool) {
        self.parker = parker
        self.sleep = sleep
        self.member = member
        self.isCrossPool = isCrossPool
    }

    /// A thread outside every pool (`install` from outside).
    @inlinable
    package static func thread(_ parker: Parker) -> LatchWaiter {
        LatchWaiter(parker: parker, sleep: nil, member: 0, isCrossPool: false)
    }

    /// A worker whose latch is set by a worker of its own pool (`join`, `scope`).
    @inlinable
    package static func worker(_ worker: WorkerThread) -> LatchWaiter {
        LatchWaiter(parker: nil, sleep: .passUnretained(worker.sleep), member: worker.index, isCrossPool: false)
    }

    /// A worker whose latch is set by a worker of another pool.
    @inlinable
    package static func crossPoolWorker(_ worker: WorkerThread) -> LatchWaiter {
        LatchWaiter(parker: nil, sleep: .passUnretained(worker.sleep), member: worker.index, isCrossPool: true)
    }

    /// For a cross-pool waiter, a retain of its pool's sleep state that outlives the latch; else `nil`.
    @inlinable
    package func keepAlive() -> Unmanaged<Sleep>? {
        guard self.isCrossPool, let sleep = self.sleep else { return nil }
        return sleep.retain()
    }

    /// Wakes the waiter, which marked the latch `sleepy`.
    @inlinable
    package func wake() {
        if let sleep = self.sleep {
            sleep._withUnsafeGuaranteedRef { $0.wake(member: self.member) }
        } else {
            self.parker?.unpark()
        }
    }
}

/// A one-shot signal from the thread that runs a job to the thread waiting for it (rayon-core's `CoreLatch` with
/// its `SpinLatch`/`LockLatch` wake-ups).
///
/// The latch has three states. `unset` while the awaited job runs; `sleepy` once the waiter has decided to park
/// (it sets it *before* announcing itself to the sleep protocol); `set` once the job is done. The setter swaps in
/// `set` and wakes the waiter **only if it found `sleepy`**: a waiter that is still running other jobs or spinning
/// will see the latch itself, so no unpark is issued and no token is left behind. A worker waiter is woken through
/// the sleep module (``Sleep/wake(member:)``): the setter claims its sleeper entry, so the entry never says "asleep"
/// for a thread that is already awake, and a publisher's wake-up is never spent on it. A waiter that wakes for
/// another reason (new work) turns `sleepy` back into `unset` (``wokeUp()``).
///
/// The latch lives inside the job, usually on the waiter's stack, so **the setter must not touch the latch after
/// the swap**: the waiter may return and reuse that memory at once. ``set()`` copies the waiter out first.
///
/// ## Memory ordering
/// - `set()` swaps with sequential consistency (a release at least: publishes the job's result) and `probe()`
///   loads with acquire, so a waiter that sees `set` also sees the result.
/// - The waiter's `sleepy` compare-exchange precedes its sleep announcement (flag store, fence, re-check of
///   `probe()`); the setter's swap precedes its claim (a sequentially consistent compare-exchange of the waiter's
///   flag). If the claim finds the flag still clear, the claim precedes the waiter's fence in the single total
///   order, so the swap does too, and the waiter's re-check after the fence sees `set`. If the claim succeeds, the
///   setter unparks and the parker's token covers an unpark that arrives before the park.
@usableFromInline
package struct Latch: ~Copyable, Sendable {
    @usableFromInline
    package static var unset: UInt8 { 0 }
    @usableFromInline
    package static var sleepy: UInt8 { 1 }
    @usableFromInline
    package static var isSet: UInt8 { 2 }

    @usableFromInline
    package let state = Atomic<UInt8>(0)
    @usableFromInline
    package let waiter: LatchWaiter

    @inlinable
    package init(waiter: LatchWaiter) { self.waiter = waiter }

    /// `true` once the latch is set.
    @inlinable
    package func probe() -> Bool {
        self.state.load(ordering: .acquiring) == Self.isSet  // Acquire: pairs with the swap in set().
    }

    /// The waiter is about to park: marks the latch `sleepy`. Returns `false` when the latch is already set (the
    /// waiter must not park).
    @inlinable
    package func prepareToSleep() -> Bool {
        // Acquire on failure: a waiter that finds the latch set returns at once (waitBlocking does), and reads the
        // job's result, so this load must pair with the swap in set() as probe() does. (It was relaxed once; x86
        // hid that, ThreadSanitizer reported it.) Success is sequentially consistent so that it precedes the sleep
        // announcement (see the type doc).
        let exchange = self.state.compareExchange(
            expected: Self.unset,
            desired: Self.sleepy,
            successOrdering: .sequentiallyConsistent,
            failureOrdering: .acquiring
        )
        return exchange.exchanged || exchange.original == Self.sleepy
    }

    /// The waiter woke without the latch being set (new work, a stray token): back to `unset`, so the setter need
    /// not wake it again.
    @inlinable
    package func wokeUp() {
        // Relaxed: only saves the setter a wake-up; a lost race with set() leaves `set`, which is what probe() wants.
        _ = self.state.compareExchange(expected: Self.sleepy, desired: Self.unset, ordering: .relaxed)
    }

    /// Sets the latch and wakes the waiter if it is asleep. The latch's memory may be gone as soon as the swap is
    /// done.
    @inlinable
    package func set() {
        let waiter = self.waiter
        let keptAlive = waiter.keepAlive()
        // Sequentially consistent (release at least): publishes the job's result; pairs with probe(), and
        // precedes the claim in Sleep.wake(member:) (see the type doc).
        let previous = self.state.exchange(Self.isSet, ordering: .sequentiallyConsistent)
        // The latch may be gone from here on.
        Chaos.point()
        if previous == Self.sleepy { waiter.wake() }
        keptAlive?.release()
    }

    /// Blocks the calling thread, which must be the waiter and not a compute worker, until the latch is set:
    /// spins briefly (a job handed to a spinning worker often finishes within a few microseconds), then parks.
    package func waitBlocking() {
        for round in 0..<LoomTuning.blockingSpinRounds {
            if self.probe() { return }
            if round & 15 == 15 { cloom_yield() } else { cloom_cpu_relax() }
        }
        guard self.prepareToSleep(), let parker = self.waiter.parker else { return }
        // Do not rename: profiles filter blocked time on this name.
        while !self.probe() { parker.park() }
    }
}

/// The count of unfinished work in a scope: the body plus every spawned job. When it drops to zero the scope's
/// latch is set (rayon-core's `CountLatch`).
@usableFromInline
package final class CountLatch: Sendable {
    private let count = Atomic<Int>(1)
    @usableFromInline
    package let latch: Latch

    /// - Parameter waiter: the thread that will wait for the count to reach zero.
    @usableFromInline
    package init(waiter: LatchWaiter) { self.latch = Latch(waiter: waiter) }

    /// Adds one unit of work. Only called by someone who already holds a unit, so the count cannot reach zero
    /// concurrently.
    package func increment() {
        self.count.add(1, ordering: .relaxed)  // Relaxed: the caller's own unit keeps the count above zero.
    }

    /// Removes one unit; the last one sets the latch.
    @usableFromInline
    package func decrement() {
        // Acquire-release: the last decrement must see every other unit's work (acquire) before setting the latch.
        if self.count.subtract(1, ordering: .acquiringAndReleasing).newValue == 0 { self.latch.set() }
    }

    /// `true` once every unit is done.
    @usableFromInline
    package func probe() -> Bool { self.latch.probe() }

    /// See ``Latch/waitBlocking()``.
    package func waitBlocking() { self.latch.waitBlocking() }
}
