import CLoomSystem
import LoomSystem
import Synchronization

/// One thread's side of the sleep protocol — one futex word that says whether it is listed asleep — and what the
/// thread is doing, for ``LoomRuntime/diagnostics()`` and the watchdog.
///
/// The word is both the "listed asleep" flag and what the thread blocks on: it is `asleep` from the thread's
/// announcement until someone **claims** it (compare-exchange `asleep` → `awake`, ``Sleep/wake(member:)``), and the
/// thread blocks in `futex_wait` for as long as it reads `asleep`. So a claim always wakes the very sleep it found, and
/// no wake-up can be left over for a later one: a claimer whose `futex_wake` comes late finds a thread that is awake, or
/// one that is asleep again and only re-reads the word. (With a flag beside a parker's token, as before, a late unpark
/// left a token that woke the thread's *next* sleep while its flag still said asleep, and a publisher's wake-up was then
/// spent on it.)
///
/// The activity and counters are written only by the thread itself (relaxed stores, read by diagnostics as hints), on
/// a cache line of their own.
@usableFromInline
package final class Sleeper: @unchecked Sendable {
    // Sendable: `state` points at a word that lives forever and is only accessed atomically; the rest is atomic.
    package static let awake: UInt32 = 0
    package static let asleep: UInt32 = 1

    /// `awake` or `asleep`: a never-freed word, so that a claimer's late `futex_wake` never touches freed memory (it
    /// may meet a recycled word, whose new owner then only re-reads it). Sleeper words have a pool of their own,
    /// apart from parker words, so that no parker's late `unpark` ever writes into one.
    private let state: UnsafeMutablePointer<Atomic<UInt32>>
    private let padding = CachePadding()
    /// A ``ThreadActivity`` raw value.
    @usableFromInline
    package let activity = Atomic<UInt8>(ThreadActivity.starting.rawValue)
    /// Jobs the thread has run.
    @usableFromInline
    package let jobsRun = Atomic<UInt64>(0)
    /// Times the thread parked.
    @usableFromInline
    package let parks = Atomic<UInt64>(0)
    /// Times it was woken from a park by a claim (a publisher, a latch setter, termination).
    package let wakeUps = Atomic<UInt64>(0)
    /// Steal attempts (victim deques probed) and successes; compute workers only.
    package let stealAttempts = Atomic<UInt64>(0)
    package let steals = Atomic<UInt64>(0)
    /// Jobs taken from the pool's shared queue (the compute injector; the async pool's queue).
    @usableFromInline
    package let sharedQueuePops = Atomic<UInt64>(0)
    /// Nanoseconds spent parked, in parks that have ended. Only parked time counts as idle (as tokio's busy duration
    /// does): a thread spinning or yielding in search of work counts as busy, so timing costs nothing unless a
    /// thread parks, which costs microseconds anyway.
    @usableFromInline
    package let idleNanoseconds = Atomic<UInt64>(0)
    /// When the current park began (``cloom_monotonic_ns()``), or 0 while the thread is not parked.
    @usableFromInline
    package let idleSince = Atomic<UInt64>(0)
    /// When the thread started its loop, or 0 before.
    package let startedAt = Atomic<UInt64>(0)
    /// Whether the thread times its parks (``LoomBuilder/statistics(_:)``): two clock reads per park.
    @usableFromInline
    package let measuresTime: Bool
    private let padding2 = CachePadding()

    package init(measuresTime: Bool = true) {
        self.state = SleeperWords.make()
        self.measuresTime = measuresTime
    }

    deinit { SleeperWords.recycle(self.state) }

    /// Whether the thread is listed asleep (a snapshot; relaxed).
    package var isListedAsleep: Bool { self.state.pointee.load(ordering: .relaxed) == Self.asleep }

    /// The thread lists itself asleep. Ordered before its re-check by the fence that follows in ``Sleep/sleep``.
    fileprivate func announce() {
        self.state.pointee.store(Self.asleep, ordering: .relaxed)  // Relaxed: ordered by the fence that follows.
    }

    /// `asleep` → `awake`, by a claimer or by the thread itself when it withdraws; `true` for whoever did it.
    ///
    /// Sequentially consistent: a latch setter's claim must be ordered against the waiter's fence (see ``Latch``), and
    /// it releases what the claimer published before, for the woken thread's acquiring read in ``block()``.
    fileprivate func claim() -> Bool {
        self.state.pointee.compareExchange(
            expected: Self.asleep,
            desired: Self.awake,
            ordering: .sequentiallyConsistent
        ).exchanged
    }

    /// Wakes the thread from ``block()`` after a successful claim.
    fileprivate func wakeAfterClaim() {
        _ = UnsafeMutableRawPointer(self.state).withMemoryRebound(to: UInt32.self, capacity: 1) {
            cloom_futex_wake($0, 1)
        }
    }

    /// Blocks while the thread is listed asleep. Spurious returns from `futex_wait` (a late wake meant for an earlier
    /// sleep, a signal) only make it re-read the word.
    ///
    /// Do not rename: profiles filter blocked time on this name.
    fileprivate func block() {
        // Acquire: pairs with the claim's compare-exchange, so the claimer's published work is visible.
        while self.state.pointee.load(ordering: .acquiring) == Self.asleep {
            self.wait(atMost: -1)
        }
    }

    /// One `futex_wait` while the word reads `asleep`, for at most about `nanoseconds` (-1: no limit); it may also
    /// return early (a wake-up, a signal). Alone, as the timed park, it returns with the thread possibly still listed
    /// asleep: the caller withdraws with a claim, whose compare-exchange is also the acquiring read
    /// (``Sleep/sleep(_:atMost:unless:)``).
    fileprivate func wait(atMost nanoseconds: Int64) {
        _ = UnsafeMutableRawPointer(self.state).withMemoryRebound(to: UInt32.self, capacity: 1) {
            cloom_futex_wait($0, Self.asleep, nanoseconds)
        }
    }

    /// Records what the thread does now (owner thread only).
    @inlinable
    package func enter(_ activity: ThreadActivity) {
        self.activity.store(activity.rawValue, ordering: .relaxed)  // Relaxed: a hint for diagnostics.
    }

    /// Counts one job run (owner thread only: a load and a store, no read-modify-write).
    @inlinable
    package func countJob() {
        // Relaxed: single writer; readers only sum the counters as hints.
        self.jobsRun.store(self.jobsRun.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// Counts a job taken from the pool's shared queue (owner thread only).
    @inlinable
    package func countSharedQueuePop() {
        self.sharedQueuePops.store(self.sharedQueuePops.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
    }

    /// Counts one search's steal attempts and whether it stole (owner thread only).
    package func countSteals(attempts: UInt64, stole: Bool) {
        guard attempts > 0 else { return }
        self.stealAttempts.store(self.stealAttempts.load(ordering: .relaxed) &+ attempts, ordering: .relaxed)
        if stole { self.steals.store(self.steals.load(ordering: .relaxed) &+ 1, ordering: .relaxed) }
    }

    /// The thread starts its loop (owner thread only).
    package func started() {
        self.startedAt.store(cloom_monotonic_ns(), ordering: .relaxed)
    }

    /// A park begins (owner thread only; a clock read when the thread measures time).
    @inlinable
    package func beginIdle() {
        if self.measuresTime { self.idleSince.store(cloom_monotonic_ns(), ordering: .relaxed) }
    }

    /// The park ends (owner thread only).
    @inlinable
    package func endIdle() {
        guard self.measuresTime else { return }
        let since = self.idleSince.load(ordering: .relaxed)
        guard since != 0 else { return }
        let now = cloom_monotonic_ns()
        self.idleNanoseconds.store(
            self.idleNanoseconds.load(ordering: .relaxed) &+ (now &- since),
            ordering: .relaxed
        )
        self.idleSince.store(0, ordering: .relaxed)
    }

    /// Busy and idle (parked) time up to `now`, counting a park still under way; `nil` when the thread does not
    /// measure time or has not started.
    package func busyAndIdle(now: UInt64) -> (busy: UInt64, idle: UInt64)? {
        let started = self.startedAt.load(ordering: .relaxed)
        guard self.measuresTime, started != 0, now > started else { return nil }
        let since = self.idleSince.load(ordering: .relaxed)
        var idle = self.idleNanoseconds.load(ordering: .relaxed)
        if since != 0 && now > since { idle &+= now - since }
        let lifetime = now - started
        idle = min(idle, lifetime)
        return (lifetime - idle, idle)
    }
}

/// The never-freed pool of sleeper words.
private enum SleeperWords {
    /// A word on this list is owned by no sleeper. (Pointers to atomics, handed between threads only under the lock.)
    static let free = LockedValue<[UnsafeMutablePointer<Atomic<UInt32>>]>([])

    static func make() -> UnsafeMutablePointer<Atomic<UInt32>> {
        if let word = Self.free.withLock({ $0.popLast() }) {
            word.pointee.store(Sleeper.awake, ordering: .relaxed)  // Relaxed: not yet shared with any thread.
            return word
        }
        let word = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
        word.initialize(to: Atomic(Sleeper.awake))
        return word
    }

    static func recycle(_ word: UnsafeMutablePointer<Atomic<UInt32>>) {
        Self.free.withLock { $0.append(word) }
    }
}

/// What a pool thread is doing, as recorded in its ``Sleeper``.
@usableFromInline
package enum ThreadActivity: UInt8, Sendable {
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
/// A thread is woken only by a successful claim of its sleeper word, and a claim matches exactly one announcement
/// (``Sleeper``): no wake-up is lost, and none is spent on a thread that is already awake.
///
/// ## Memory ordering
/// The announce (flag store, `sleepers` increment, fence, re-check loads) and the publish (work store, fence,
/// `sleepers` load) form a Dekker pair: with a sequentially consistent fence on both sides, either the sleeper's
/// re-check sees the new work or the publisher sees `sleepers > 0`. A claim that comes before the sleeper blocks is
/// safe: the sleeper then reads `awake` and does not block. The claim compare-exchange ensures each announced sleeper
/// is decremented from `sleepers` exactly once (by its claimer or by itself when it withdraws).
@usableFromInline
package final class Sleep: Sendable {
    /// Workers that announced they are about to park or are parked.
    @usableFromInline
    package let sleepers = Atomic<Int>(0)
    /// Workers spinning in search of work, between ``startSearching()`` and ``stopSearching(thenCheck:)`` or their
    /// sleep announcement. While one is searching, a publisher wakes nobody: the searcher takes the work, or sees it
    /// in the re-check before it sleeps, or passes it on when it leaves (``stopSearching(thenCheck:)``).
    @usableFromInline
    package let searching = Atomic<Int>(0)
    /// Where the next claim starts, so wake-ups spread over the workers.
    private let cursor = Atomic<Int>(0)
    /// Every thread of the pool.
    @usableFromInline
    package let members: [Sleeper]
    /// How many of ``members`` (the first ones) ``wakeOne()`` tries before the rest: the normal-priority workers, ahead
    /// of the idle-priority ones that borrow the async CPUs (the plan puts those last).
    private let preferred: Int

    /// - Parameter preferred: how many of the first members a wake-up tries before the others (default: all).
    package init(members: [Sleeper], preferred: Int? = nil) {
        self.members = members
        self.preferred = min(members.count, max(1, preferred ?? members.count))
    }

    /// Called after publishing work: wakes one sleeping worker if any. Cheap when nobody sleeps (a fence and a load).
    @inlinable
    package func newWork() {
        Chaos.point()
        if self.anyoneSleepingAfterPublish() { self.wakeOne() }
    }

    /// The publisher's half of the Dekker pair: a fence, then a look at `sleepers` and `searching`. `true` means a
    /// worker may be asleep and nobody is searching, so one should be woken with ``wakeOne()``.
    @inlinable
    package func anyoneSleepingAfterPublish() -> Bool {
        atomicMemoryFence(ordering: .sequentiallyConsistent)  // Pairs with the fences in sleep and stopSearching.
        // Relaxed: ordered by the fence above.
        return self.sleepers.load(ordering: .relaxed) != 0 && self.searching.load(ordering: .relaxed) == 0
    }

    /// A worker starts spinning in search of work.
    @inlinable
    package func startSearching() {
        self.searching.add(1, ordering: .relaxed)  // Relaxed: publishers read it after their fence; see type doc.
    }

    /// A searching worker stops searching to go back to work (it found a job, or what it waited for is done).
    /// Publishers may have skipped waking anyone because it was searching, so if it was the last searcher and
    /// `visibleWork()` (read after a fence) finds work, a sleeper is woken to take it.
    @inlinable
    package func stopSearching(thenCheck visibleWork: () -> Bool) {
        self.searching.subtract(1, ordering: .relaxed)  // Relaxed: ordered before the check by the fence below.
        Chaos.point()
        if self.anyoneSleepingAfterPublish() && visibleWork() { self.wakeOne() }
    }

    /// A searching worker gives up and is about to call ``sleep(_:unless:)``, whose re-check covers work published
    /// while it searched.
    @inlinable
    package func stopSearchingToSleep() {
        self.searching.subtract(1, ordering: .relaxed)  // Relaxed: ordered before the re-check by sleep's fence.
    }

    /// Claims and wakes one sleeping worker, if any is still asleep: a preferred one (normal priority) if any
    /// sleeps, else one of the others.
    @usableFromInline
    package func wakeOne() {
        // Relaxed: only spreads wake-ups.
        let turn = UInt(bitPattern: self.cursor.add(1, ordering: .relaxed).newValue)
        if self.wakeOne(in: 0..<self.preferred, turn: turn) { return }
        _ = self.wakeOne(in: self.preferred..<self.members.count, turn: turn)
    }

    /// Claims and wakes one sleeping member of `range`, starting at `turn` modulo its size; `true` if it did.
    private func wakeOne(in range: Range<Int>, turn: UInt) -> Bool {
        let count = range.count
        guard count > 0 else { return false }
        let start = Int(turn % UInt(count))
        for offset in 0..<count {
            let member = self.members[
                range.lowerBound + (start + offset < count ? start + offset : start + offset - count)
            ]
            if self.claim(member) {
                Chaos.point()
                member.wakeAfterClaim()
                return true
            }
        }
        return false
    }

    /// Wakes one particular worker if it is asleep: the latch setter's wake-up (rayon's `wake_specific_thread`).
    @usableFromInline
    package func wake(member index: Int) {
        let member = self.members[index]
        if self.claim(member) {
            Chaos.point()
            member.wakeAfterClaim()
        }
    }

    /// Wakes every sleeping worker (termination: the caller has set the flag the workers re-check, so one that
    /// announces itself afterwards withdraws).
    package func wakeAll() {
        for member in self.members where self.claim(member) { member.wakeAfterClaim() }
    }

    /// Takes the member off the sleepers if it is listed there; `true` for whoever did.
    private func claim(_ member: Sleeper) -> Bool {
        guard member.claim() else { return false }
        self.sleepers.subtract(1, ordering: .relaxed)  // Relaxed: read by publishers after their fence.
        return true
    }

    /// Announce, re-check, park. Returns when woken, or at once when `reasonToStayAwake` (the re-check: the
    /// awaited latch, termination, visible work) holds after the announcement.
    package func sleep(_ member: Sleeper, unless reasonToStayAwake: () -> Bool) {
        self.sleep(member, atMost: nil, unless: reasonToStayAwake)
    }

    /// ``sleep(_:unless:)`` that also ends after about `timeout` nanoseconds (`nil`: never): the thread then
    /// withdraws from the sleepers exactly as it does when its re-check finds work — unless a claimer was faster,
    /// whose wake-up then finds it awake. A timed-out return is a spurious wake-up as far as the protocol goes: the
    /// caller looks for work again before it sleeps again.
    package func sleep(_ member: Sleeper, atMost timeout: Int64?, unless reasonToStayAwake: () -> Bool) {
        member.enter(.parked)
        member.announce()
        self.sleepers.add(1, ordering: .relaxed)
        Chaos.point()
        atomicMemoryFence(ordering: .sequentiallyConsistent)  // Pairs with the fence in anyoneSleepingAfterPublish().
        Chaos.point()
        if reasonToStayAwake() {
            // Withdraw, unless a claimer was faster (then it took us off the count, and its wake finds us awake).
            _ = self.claim(member)
            member.enter(.running)
            return
        }
        member.parks.store(member.parks.load(ordering: .relaxed) &+ 1, ordering: .relaxed)  // Relaxed: a counter.
        member.beginIdle()
        if let timeout {
            member.wait(atMost: timeout)
            _ = self.claim(member)  // Withdraw if it timed out; a no-op when a claimer woke it.
        } else {
            member.block()
        }
        member.endIdle()
        member.wakeUps.store(member.wakeUps.load(ordering: .relaxed) &+ 1, ordering: .relaxed)  // Relaxed: a counter.
        Chaos.point()
        member.enter(.running)
    }
}
