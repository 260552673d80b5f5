import Synchronization

/// One thread's side of the sleep protocol — its `sleeping` flag and its parker — and what the thread is doing,
/// for ``LoomRuntime/diagnostics()`` and the watchdog.
///
/// The flag is written by the thread and by whoever claims it; the activity and counters only by the thread itself
/// (relaxed stores, read by diagnostics as hints), on a cache line of their own.
@usableFromInline
final class Sleeper: Sendable {
    /// `true` while the thread has announced that it is about to park or is parked.
    @usableFromInline
    let sleeping = Atomic<Bool>(false)
    @usableFromInline
    let parker = Parker.make()
    private let padding = CachePadding()
    /// A ``ThreadActivity`` raw value.
    @usableFromInline
    let activity = Atomic<UInt8>(ThreadActivity.starting.rawValue)
    /// Jobs the thread has run.
    @usableFromInline
    let jobsRun = Atomic<UInt64>(0)
    /// Times the thread parked.
    @usableFromInline
    let parks = Atomic<UInt64>(0)
    private let padding2 = CachePadding()

    init() {}

    deinit { self.parker.recycle() }

    /// Records what the thread does now (owner thread only).
    @inlinable
    func enter(_ activity: ThreadActivity) {
        self.activity.store(activity.rawValue, ordering: .relaxed)  // Relaxed: a hint for diagnostics.
    }

    /// Counts one job run (owner thread only: a load and a store, no read-modify-write).
    @inlinable
    func countJob() {
        // Relaxed: single writer; readers only sum the counters as hints.
        self.jobsRun.store(self.jobsRun.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }
}

/// What a pool thread is doing, as recorded in its ``Sleeper``.
@usableFromInline
enum ThreadActivity: UInt8, Sendable {
    case starting = 0
    /// Running jobs (or between two of them).
    case running = 1
    /// Idle, spinning with `pause` in search of work.
    case searching = 2
    /// Idle, giving the CPU away (`sched_yield`) between looks for work.
    case yielding = 3
    /// Announced to the sleep protocol and parked (or about to park).
    case parked = 4
    /// The thread has exited.
    case stopped = 5
}

/// When pool threads park, and who wakes them (rayon-core's `sleep` module, simplified). Both pools use it: each
/// compute pool and each async pool has one.
///
/// The protocol, in full in `Documentation/Internals/SleepProtocol.md`:
///
/// - An idle worker first spins (``WorkerThread/idle(until:prepareToSleep:wokeUp:)``). Then it **announces**
///   itself: sets its `sleeping` flag, increments `sleepers`, issues a sequentially consistent fence, and
///   **re-checks** everything that could wake it (its latch, every queue, termination). If something is there it
///   withdraws (claims its own flag) and goes back to work; otherwise it parks.
/// - A thread that publishes new work (pushes on a deque or a queue) issues a sequentially consistent fence and
///   then reads `sleepers` and `searching`. If a worker sleeps and none is searching, it **claims** one sleeping
///   worker by clearing that worker's `sleeping` flag with a compare-exchange, decrements `sleepers`, and unparks
///   it. While a worker searches, nobody is woken: that worker finds the work, or sees it when it re-checks before
///   sleeping, or — when it leaves the search to run a job as the last searcher — issues a fence, looks for visible
///   work and wakes a sleeper for it (rayon's "work found" hand-on).
/// - A latch setter wakes the latch's waiter the same way, by claiming that particular worker
///   (``wake(member:)``), so a sleeper entry never says "asleep" for a thread that is already awake.
///
/// Every unpark of a worker's parker therefore follows a successful claim (or termination, ``wakeAll()``), and
/// every claim matches one announcement.
///
/// ## Memory ordering
/// The announce (flag store, `sleepers` increment, fence, re-check loads) and the publish (work store, fence,
/// `sleepers` load) form a Dekker pair: with a sequentially consistent fence on both sides, either the sleeper's
/// re-check sees the new work or the publisher sees `sleepers > 0`. The parker's token makes the unpark that
/// follows safe even if it happens before the sleeper parks. The claim compare-exchange on `sleeping` ensures each
/// announced sleeper is decremented from `sleepers` exactly once (by its claimer or by itself); it is sequentially
/// consistent so that a latch setter's claim and swap are ordered against the waiter's fence (see ``Latch``).
@usableFromInline
final class Sleep: Sendable {
    /// Workers that announced they are about to park or are parked.
    @usableFromInline
    let sleepers = Atomic<Int>(0)
    /// Workers spinning in search of work, between ``startSearching()`` and ``stopSearching(thenCheck:)`` or their
    /// sleep announcement. While one is searching, a publisher wakes nobody: the searcher takes the work, or sees it
    /// in the re-check before it sleeps, or passes it on when it leaves (``stopSearching(thenCheck:)``).
    @usableFromInline
    let searching = Atomic<Int>(0)
    /// Where the next claim starts, so wake-ups spread over the workers.
    private let cursor = Atomic<Int>(0)
    /// Every thread of the pool.
    @usableFromInline
    let members: [Sleeper]

    init(members: [Sleeper]) { self.members = members }

    /// Called after publishing work: wakes one sleeping worker if any. Cheap when nobody sleeps (a fence and a load).
    @inlinable
    func newWork() {
        Chaos.point()
        if self.anyoneSleepingAfterPublish() { self.wakeOne() }
    }

    /// The publisher's half of the Dekker pair: a fence, then a look at `sleepers` and `searching`. `true` means a
    /// worker may be asleep and nobody is searching, so one should be woken with ``wakeOne()``.
    @inlinable
    func anyoneSleepingAfterPublish() -> Bool {
        atomicMemoryFence(ordering: .sequentiallyConsistent)  // Pairs with the fences in sleep and stopSearching.
        // Relaxed: ordered by the fence above.
        return self.sleepers.load(ordering: .relaxed) != 0 && self.searching.load(ordering: .relaxed) == 0
    }

    /// A worker starts spinning in search of work.
    @inlinable
    func startSearching() {
        self.searching.add(1, ordering: .relaxed)  // Relaxed: publishers read it after their fence; see type doc.
    }

    /// A searching worker stops searching to go back to work (it found a job, or what it waited for is done).
    /// Publishers may have skipped waking anyone because it was searching, so if it was the last searcher and
    /// `visibleWork()` (read after a fence) finds work, a sleeper is woken to take it.
    @inlinable
    func stopSearching(thenCheck visibleWork: () -> Bool) {
        self.searching.subtract(1, ordering: .relaxed)  // Relaxed: ordered before the check by the fence below.
        Chaos.point()
        if self.anyoneSleepingAfterPublish() && visibleWork() { self.wakeOne() }
    }

    /// A searching worker gives up and is about to call ``sleep(_:unless:)``, whose re-check covers work published
    /// while it searched.
    @inlinable
    func stopSearchingToSleep() {
        self.searching.subtract(1, ordering: .relaxed)  // Relaxed: ordered before the re-check by sleep's fence.
    }

    /// Claims and unparks one sleeping worker, if any is still asleep.
    @usableFromInline
    func wakeOne() {
        let count = self.members.count
        // Relaxed: only spreads wake-ups.
        let start = Int(UInt(bitPattern: self.cursor.add(1, ordering: .relaxed).newValue) % UInt(count))
        for offset in 0..<count {
            let member = self.members[start + offset < count ? start + offset : start + offset - count]
            if self.claim(member) {
                Chaos.point()
                member.parker.unpark()
                return
            }
        }
    }

    /// Wakes one particular worker if it is asleep: the latch setter's wake-up (rayon's `wake_specific_thread`).
    @usableFromInline
    func wake(member index: Int) {
        let member = self.members[index]
        if self.claim(member) {
            Chaos.point()
            member.parker.unpark()
        }
    }

    /// Wakes every worker (termination).
    func wakeAll() {
        for member in self.members {
            _ = self.claim(member)
            member.parker.unpark()
        }
    }

    /// Clears the member's `sleeping` flag if set; whoever clears it decrements `sleepers`.
    private func claim(_ member: Sleeper) -> Bool {
        // Sequentially consistent: a latch setter's claim must be ordered against the waiter's fence (see Latch).
        // The parker carries the wake-up's own ordering.
        guard member.sleeping.compareExchange(expected: true, desired: false, ordering: .sequentiallyConsistent)
            .exchanged
        else { return false }
        self.sleepers.subtract(1, ordering: .relaxed)  // Relaxed: read by publishers after their fence.
        return true
    }

    /// Announce, re-check, park. Returns when woken, or at once when `reasonToStayAwake` (the re-check: the
    /// awaited latch, termination, visible work) holds after the announcement.
    func sleep(_ member: Sleeper, unless reasonToStayAwake: () -> Bool) {
        member.enter(.parked)
        member.sleeping.store(true, ordering: .relaxed)  // Relaxed: ordered before the re-check by the fence.
        self.sleepers.add(1, ordering: .relaxed)
        Chaos.point()
        atomicMemoryFence(ordering: .sequentiallyConsistent)  // Pairs with the fence in anyoneSleepingAfterPublish().
        Chaos.point()
        if reasonToStayAwake() {
            _ = self.claim(member)
            member.enter(.running)
            return
        }
        member.parks.store(member.parks.load(ordering: .relaxed) &+ 1, ordering: .relaxed)  // Relaxed: a counter.
        // Do not rename: profiles filter blocked time on this name.
        member.parker.park()
        Chaos.point()
        // Woken by a claimer (who cleared the flag), by termination, or by a stray token: withdraw if still flagged.
        _ = self.claim(member)
        member.enter(.running)
    }
}
