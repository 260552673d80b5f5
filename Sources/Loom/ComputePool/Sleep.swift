import Synchronization

/// When compute workers park, and who wakes them (rayon-core's `sleep` module, simplified).
///
/// The protocol, in full in `Documentation/Internals/ComputePool.md`:
///
/// - An idle worker first spins (``WorkerThread/idle(until:)``). Then it **announces** itself: sets its `sleeping`
///   flag, increments `sleepers`, issues a sequentially consistent fence, and **re-checks** everything that could
///   wake it (its latch, every deque, the injector, termination). If something is there it withdraws (clears its
///   flag, decrements `sleepers`) and goes back to work; otherwise it parks.
/// - A thread that publishes new work (pushes on a deque or the injector) issues a sequentially consistent fence
///   and then reads `sleepers` and `searching`. If a worker sleeps and none is searching, it **claims** one sleeping
///   worker by clearing that worker's `sleeping` flag with a compare-exchange, decrements `sleepers`, and unparks
///   it. While a worker searches, nobody is woken: that worker finds the work, or sees it when it re-checks before
///   sleeping, or — when it leaves the search to run a job as the last searcher — issues a fence, looks for visible
///   work and wakes a sleeper for it (rayon's "work found" hand-on). So a burst of jobs wakes threads one by one as
///   each is taken, and a job that a spinning worker is about to take wakes nobody.
/// - A latch setter unparks the latch's waiter directly (``Latch/set()``).
///
/// ## Memory ordering
/// The announce (flag store, `sleepers` increment, fence, re-check loads) and the publish (work store, fence,
/// `sleepers` load) form a Dekker pair: with a sequentially consistent fence on both sides, either the sleeper's
/// re-check sees the new work or the publisher sees `sleepers > 0`. The parker's token makes the unpark that
/// follows safe even if it happens before the sleeper parks. The claim compare-exchange on `sleeping` ensures each
/// announced sleeper is decremented from `sleepers` exactly once (by its claimer or by itself).
/// One thread's side of the sleep protocol: its `sleeping` flag and its parker.
@usableFromInline
final class Sleeper: Sendable {
    /// `true` while the thread has announced that it is about to park or is parked.
    let sleeping = Atomic<Bool>(false)
    @usableFromInline
    let parker = Parker.make()

    init() {}

    deinit { self.parker.recycle() }
}

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
        let start = self.cursor.add(1, ordering: .relaxed).newValue  // Relaxed: only spreads wake-ups.
        for offset in 0..<self.members.count {
            let member = self.members[(start &+ offset) % self.members.count]
            if self.claim(member) {
                Chaos.point()
                member.parker.unpark()
                return
            }
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
        // Relaxed: the flag only decides who decrements the count; the parker carries the wake-up's ordering.
        guard member.sleeping.compareExchange(expected: true, desired: false, ordering: .relaxed).exchanged else {
            return false
        }
        self.sleepers.subtract(1, ordering: .relaxed)
        return true
    }

    /// Announce, re-check, park. Returns when woken, or at once when `reasonToStayAwake` (the re-check: the
    /// awaited latch, termination, visible work) holds after the announcement.
    func sleep(_ member: Sleeper, unless reasonToStayAwake: () -> Bool) {
        member.sleeping.store(true, ordering: .relaxed)  // Relaxed: ordered before the re-check by the fence.
        self.sleepers.add(1, ordering: .relaxed)
        Chaos.point()
        atomicMemoryFence(ordering: .sequentiallyConsistent)  // Pairs with the fence in anyoneSleepingAfterPublish().
        Chaos.point()
        if reasonToStayAwake() {
            _ = self.claim(member)
            return
        }
        member.parker.park()
        Chaos.point()
        // Woken by a latch setter or termination (who do not claim), or by a publisher (who did).
        _ = self.claim(member)
    }
}
