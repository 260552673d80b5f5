import CLoomSystem
import LoomSystem
import Synchronization

/// One compute-pool thread: its deque, its sleeper entry, and the loop that finds and runs jobs (rayon-core's
/// `WorkerThread`). The object is shared (thieves read its deque), but `pop`, `push` and the random state belong to
/// its own thread.
@usableFromInline
package final class WorkerThread: @unchecked Sendable {
    // Sendable: `deque` and `sleeping` are thread-safe; `random` is touched by the owning thread only.

    @usableFromInline
    package let index: Int
    @usableFromInline
    unowned(unsafe) let registry: Registry
    @usableFromInline
    package let deque = WorkStealingDeque()
    /// The registry's sleep module, held directly so the hot path loads no unowned reference.
    @usableFromInline
    package let sleep: Sleep
    @usableFromInline
    package let sleeper: Sleeper
    /// Jobs for this worker only, which no other worker may take: ``ComputePool/broadcast(_:)`` puts one here for
    /// each worker. Checked before stealing and in the re-check before sleeping.
    package let inbox = Injector<JobRef>()
    /// `true` for a worker that borrows the async CPUs at idle priority (``LoomThreadInfo/Priority/idle``): it does
    /// not spin or count as searching when idle, but parks at once. The kernel may leave such a thread off the CPU
    /// for milliseconds, and while a worker searches, publishers wake nobody: a descheduled searcher would hold back
    /// work the normal workers could run.
    @usableFromInline
    package let borrows: Bool
    /// xorshift state for picking steal victims; owner only (hence no dynamic exclusivity check).
    @exclusivity(unchecked) private var random: UInt64

    package init(index: Int, registry: Registry) {
        self.index = index
        self.registry = registry
        self.sleep = registry.sleep
        self.sleeper = registry.sleep.members[index]
        self.borrows = registry.threadInfos[index].priority == .idle
        self.random = 0x9E37_79B9_7F4A_7C15 &* UInt64(index + 1)
    }

    /// The worker running on the calling thread, of any pool, or `nil`.
    @inlinable
    package static var current: WorkerThread? {
        guard let raw = cloom_current_worker() else { return nil }
        return Unmanaged<WorkerThread>.fromOpaque(raw).takeUnretainedValue()
    }

    /// Calls `body` with the calling thread's worker, without retaining it (the thread keeps it alive), or with
    /// `nil` on other threads. The hot paths (`join`) use this to avoid reference-counting traffic.
    @inlinable
    package static func withCurrent<T>(_ body: (WorkerThread?) -> T) -> T {
        guard let raw = cloom_current_worker() else { return body(nil) }
        return Unmanaged<WorkerThread>.fromOpaque(raw)._withUnsafeGuaranteedRef { body($0) }
    }

    // MARK: Jobs

    /// Pushes a job on this worker's deque and wakes a sleeping worker to steal it. Owner thread only.
    @inlinable
    package func push(_ job: JobRef) {
        self.deque.push(job)
        self.sleep.newWork()
    }

    /// Runs a job: a Loom job directly, a Swift concurrency job on this pool's task executor. The job is counted
    /// as it starts, so once whatever a job signals is seen, the job is in ``LoomStatistics`` already.
    @inlinable
    package func execute(_ job: JobRef) {
        self.sleeper.countJob()
        if job.isTask {
            self.runTask(job.task)
        } else {
            job.execute()
        }
    }

    @usableFromInline
    package func runTask(_ job: UnownedJob) {
        job.runSynchronously(on: self.registry.taskExecutor!)
    }

    /// Pops this worker's newest job. Owner thread only.
    @inlinable
    package func pop() -> JobRef? { self.deque.pop() }

    /// A job to run: the newest local one, else one stolen from another worker, else one from the injector.
    @inlinable
    package func findWork() -> JobRef? {
        if let job = self.deque.pop() { return job }
        return self.findWorkCold()
    }

    @usableFromInline
    package func findWorkCold() -> JobRef? {
        if let job = self.inbox.pop() { return job }
        let workers = self.registry.workers
        let count = workers.count
        if count > 1 {
            var attempts: UInt64 = 0
            var retry = true
            while retry {
                retry = false
                let start = Int(self.nextRandom() % UInt64(count))
                for offset in 0..<count {
                    let victim = start + offset < count ? start + offset : start + offset - count
                    if victim == self.index { continue }
                    attempts &+= 1
                    switch workers[victim].deque.steal() {
                    case .success(let job):
                        self.sleeper.countSteals(attempts: attempts, stole: true)
                        return job
                    case .retry: retry = true
                    case .empty: break
                    }
                }
            }
            self.sleeper.countSteals(attempts: attempts, stole: false)
        }
        guard let job = self.registry.injector.pop() else { return nil }
        self.sleeper.countSharedQueuePop()
        return job
    }

    private func nextRandom() -> UInt64 {
        self.random ^= self.random << 13
        self.random ^= self.random >> 7
        self.random ^= self.random << 17
        return self.random
    }

    // MARK: Waiting

    /// Runs other jobs until the stack job's latch is set; spins, then parks, when there is nothing to do. The latch
    /// setter wakes this worker through the sleep protocol.
    @inlinable
    package func waitUntilDone(_ job: UnsafeMutablePointer<StackJob>) {
        self.waitUntil(
            { job.pointee.latch.probe() },
            prepareToSleep: { job.pointee.latch.prepareToSleep() },
            wokeUp: { job.pointee.latch.wokeUp() }
        )
    }

    /// Runs other jobs until `latch` is set (see ``waitUntilDone(_:)``).
    @inlinable
    package func waitUntilDone(_ latch: CountLatch) {
        self.waitUntil(
            { latch.latch.probe() },
            prepareToSleep: { latch.latch.prepareToSleep() },
            wokeUp: { latch.latch.wokeUp() }
        )
    }

    /// Runs other jobs until `probe` holds. Before parking, `prepareToSleep` tells whoever will make `probe` true to
    /// wake this worker (a latch's `sleepy` mark) and returns `false` if `probe` already holds; `wokeUp` undoes it
    /// when the worker wakes for another reason.
    @inlinable
    package func waitUntil(_ probe: () -> Bool, prepareToSleep: () -> Bool, wokeUp: () -> Void) {
        while !probe() {
            if let job = self.findWork() {
                self.execute(job)
            } else {
                self.idle(until: probe, prepareToSleep: prepareToSleep, wokeUp: wokeUp)
            }
        }
    }

    /// One idle period: spin a few rounds looking for work, then sleep until woken. Returns after running one job,
    /// when `probe` holds, or when woken; the caller loops.
    @usableFromInline
    package func idle(until probe: () -> Bool, prepareToSleep: () -> Bool, wokeUp: () -> Void) {
        let registry = self.registry
        // First a short busy spin (work handed over right now is picked up within a few hundred ns), then rounds
        // that give the CPU away, so threads sharing a CPU still run; only the latter when CPUs are short.
        let yields = registry.yieldsWhileSearching.load(ordering: .relaxed)  // Relaxed: a hint.
        let pauseRounds = yields ? 0 : LoomTuning.workerPauseRounds
        // A borrower skips the search (see `borrows`): it never counts as searching, so publishers wake a sleeper.
        let spinRounds = self.borrows ? 0 : LoomTuning.workerSpinRounds
        if spinRounds > 0 {
            self.sleeper.enter(yields ? .yielding : .searching)
            self.sleep.startSearching()
        }
        for round in 0..<spinRounds {
            if round < pauseRounds {
                cloom_cpu_relax()
            } else {
                if round == pauseRounds { self.sleeper.enter(.yielding) }
                cloom_yield()
            }
            if probe() {
                self.sleep.stopSearching { registry.hasVisibleWork() }
                self.sleeper.enter(.running)
                return
            }
            if let job = self.findWork() {
                Chaos.point()
                self.sleep.stopSearching { registry.hasVisibleWork() }
                self.sleeper.enter(.running)
                self.execute(job)
                return
            }
        }
        Chaos.point()
        if spinRounds > 0 { self.sleep.stopSearchingToSleep() }
        // Tell the latch setter to wake us (before the announcement, see Latch); it may be set already.
        guard prepareToSleep() else {
            self.sleeper.enter(.running)
            return
        }
        self.sleep.sleep(self.sleeper) {
            probe() || registry.isTerminating || registry.hasVisibleWork() || !self.inbox.isEmpty
        }
        wokeUp()
    }

    // MARK: Main loop

    /// The thread's body: run jobs until the registry terminates and no work is left.
    package func run() {
        cloom_set_current_worker(Unmanaged.passUnretained(self).toOpaque())
        defer { cloom_set_current_worker(nil) }
        let terminating = { self.registry.isTerminating }
        self.sleeper.started()
        self.sleeper.enter(.running)
        defer { self.sleeper.enter(.stopped) }
        let info = self.registry.threadInfos[self.index]
        self.registry.hooks.threadStarted(info)
        defer { self.registry.hooks.threadExiting(info) }
        while true {
            if let job = self.findWork() {
                self.execute(job)
                continue
            }
            if self.registry.isTerminating {
                // Terminate is set after the injector closed: one more look sees every job pushed before that.
                if let job = self.findWork() {
                    self.execute(job)
                    continue
                }
                return
            }
            self.idle(until: terminating, prepareToSleep: { true }, wokeUp: {})
        }
    }
}
