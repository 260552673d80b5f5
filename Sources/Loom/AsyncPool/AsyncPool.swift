import CLoomSystem
import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

/// The async pool: Swift concurrency's jobs run on Loom's own pinned, named threads (a `TaskExecutor`).
///
/// A task that prefers this executor (`Task(executorPreference:)`, `withTaskExecutorPreference`, or anything started
/// by ``LoomRuntime/spawnAsync(_:)-(()->T)``) runs every job on these threads, across every `await`: when something
/// resumes it from another thread (a compute job finishing, an I/O completion), it is queued back here.
///
/// Design: one shared FIFO of jobs (an ``Injector``) and N worker threads that take from it. An idle worker spins
/// for a few microseconds (yielding the CPU, so the NIO event loops that share these CPUs still run) before it
/// parks; resuming a parked thread costs 5-50 µs on small virtual machines, while a spinning one picks a job up in
/// well under one. Parking uses the compute pool's sleep protocol (``Sleep``), so no wake-up is lost.
/// `Documentation/Internals/AsyncPool.md` compares this with running Swift tasks on NIO event loops.
///
/// After ``close()``, jobs that still arrive (tasks resumed late) go to the global concurrent executor: nothing is
/// lost, nothing runs on freed threads.
final class AsyncPool: TaskExecutor, @unchecked Sendable {
    // Sendable: `threads` is written in init before any thread can see the pool and only read afterwards (under
    // `closeState`'s lock in close()); the rest is atomic or locked.

    private let queue = TaskQueue()
    private let sleep: Sleep
    private let terminating = Atomic<Bool>(false)
    private var threads: [PinnedThread] = []
    private let closeState = LockedValue(false)
    let threadInfos: [LoomThreadInfo]
    /// The compute pool's sleep state when the two pools compete for the same CPUs (see
    /// ``init(threads:contendedBy:onStart:)``), else `nil`.
    private let contendedBy: Sleep?
    /// The compute threads that borrow this pool's CPUs (see `init`).
    private let borrowers: [Sleeper]
    /// With a single thread, the jobs that thread enqueues itself (a task it spawns, a task it resumes) go to a local
    /// FIFO that only it touches: no lock, no wake-up, and no other thread could have run them sooner. Every 32nd
    /// job comes from the shared queue first, so work arriving from other threads is not starved.
    private let isSingleThreaded: Bool
    @exclusivity(unchecked) private var localJobs: [UnownedJob] = []
    @exclusivity(unchecked) private var localHead = 0
    /// The length of the local FIFO, for diagnostics (written by the pool's thread only).
    private let localCount = Atomic<Int>(0)
    /// Whether the threads time their parks and the bridge its round trips (``LoomConfiguration/statistics``).
    let measuresTime: Bool
    /// Each thread's bridge-latency recorders (it alone writes them), and the one other threads share.
    private let latencyStripes: [BridgeLatency]
    private let sharedLatency = BridgeLatency()

    /// Starts one thread per entry of `threads`; each runs `onStart` first.
    ///
    /// - Parameter contendedBy: the compute pool's ``Sleep`` when the async threads may run on CPUs the compute
    ///   workers need (pinning off, or both pools on the same CPUs) and there are more threads than those CPUs. An
    ///   idle async thread then stops spinning as soon as every compute worker is busy (none searching, none
    ///   parked): spinning would take a CPU from a busy compute worker, and on these machines a descheduled worker
    ///   costs far more than a wake-up.
    /// - Parameter borrowers: the sleepers of the compute threads that borrow this pool's CPUs at idle priority
    ///   (``LoomConfiguration/shareAsyncCPUs``). An idle async thread stops spinning as soon as one of them runs a
    ///   job, so that the borrower gets the CPU the spin would keep.
    init(
        threads infos: [LoomThreadInfo],
        contendedBy: Sleep? = nil,
        borrowers: [Sleeper] = [],
        measuresTime: Bool = true,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void,
        hooks: LoomThreadHooks = LoomThreadHooks(),
        onStart: (@Sendable () -> Void)? = nil
    ) throws(LoomError) {
        precondition(!infos.isEmpty, "the async pool needs at least one thread")
        self.threadInfos = infos
        self.contendedBy = contendedBy
        self.borrowers = borrowers
        self.isSingleThreaded = infos.count == 1
        self.measuresTime = measuresTime
        self.sleep = Sleep(members: infos.map { _ in Sleeper(measuresTime: measuresTime) })
        self.latencyStripes = infos.map { _ in BridgeLatency() }
        let sleepers = self.sleep.members
        let stripes = self.latencyStripes
        self.threads = try PinnedThread.startAll(
            infos,
            stackSize: LoomTuning.asyncStackSize,
            warn: warn,
            body: { index in
                { [self] in
                    onStart?()
                    cloom_set_current_async_pool(Unmanaged.passUnretained(self).toOpaque())
                    cloom_set_current_latency_stripe(Unmanaged.passUnretained(stripes[index]).toOpaque())
                    hooks.threadStarted(infos[index])
                    self.run(sleepers[index])
                    hooks.threadExiting(infos[index])
                    cloom_set_current_latency_stripe(nil)
                    cloom_set_current_async_pool(nil)
                }
            },
            stopStarted: { started in
                // Stop the threads that did start: none is left behind.
                self.threads = started
                self.close()
            }
        )
    }

    // MARK: TaskExecutor

    func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        if self.isSingleThreaded && self.isCurrentThreadInPool && !self.isTerminating {
            self.localJobs.append(unowned)  // The only thread is this one, and it is awake.
            // Relaxed: single writer, read only by diagnostics.
            self.localCount.store(self.localJobs.count - self.localHead, ordering: .relaxed)
            return
        }
        guard self.queue.push(unowned) else {
            globalConcurrentExecutor.enqueue(ExecutorJob(unowned))
            return
        }
        Chaos.point()
        self.sleep.newWork()
    }

    // MARK: Workers

    private func run(_ sleeper: Sleeper) {
        let executor = self.asUnownedTaskExecutor()
        var localStreak = 0
        sleeper.started()
        sleeper.enter(.running)
        defer { sleeper.enter(.stopped) }
        while true {
            if localStreak < 32, let job = self.popLocal() {
                localStreak += 1
                sleeper.countJob()  // Counted as it starts (see WorkerThread.execute).
                job.runSynchronously(on: executor)
                continue
            }
            localStreak = 0
            if let job = self.queue.pop() {
                sleeper.countSharedQueuePop()
                sleeper.countJob()  // Counted as it starts (see WorkerThread.execute).
                job.runSynchronously(on: executor)
                continue
            }
            if let job = self.popLocal() {
                sleeper.countJob()  // Counted as it starts (see WorkerThread.execute).
                job.runSynchronously(on: executor)
                continue
            }
            if self.isTerminating {
                // Termination is set after the queue closed: one more look sees every job queued before. The local
                // FIFO is empty here and only this thread fills it.
                if let job = self.queue.pop() {
                    sleeper.countJob()
                    job.runSynchronously(on: executor)
                    continue
                }
                return
            }
            self.idle(sleeper)
        }
    }

    /// The oldest job of the local FIFO (single-threaded pools; the pool's thread only).
    private func popLocal() -> UnownedJob? {
        guard self.localHead < self.localJobs.count else { return nil }
        let job = self.localJobs[self.localHead]
        self.localHead += 1
        if self.localHead == self.localJobs.count {
            self.localJobs.removeAll(keepingCapacity: true)
            self.localHead = 0
        }
        self.localCount.store(self.localJobs.count - self.localHead, ordering: .relaxed)  // Relaxed: as in enqueue.
        return job
    }

    /// Spins until a job shows up or the spin budget is spent, then parks.
    ///
    /// The re-check before parking covers every place a job can be: the shared queue, termination, and the local
    /// FIFO. Only this thread fills the local FIFO, and the run loop empties it before idling, so it is empty here;
    /// the check states that invariant where the protocol relies on it.
    private func idle(_ sleeper: Sleeper) {
        sleeper.enter(.searching)
        for round in 0..<LoomTuning.asyncSpinRounds {
            if self.hasWork || self.isTerminating {
                sleeper.enter(.running)
                return
            }
            if round & 31 == 0, self.isComputeSaturated { break }
            if round & 31 == 31 { cloom_yield() } else { cloom_cpu_relax() }
        }
        Chaos.point()
        // While a borrower runs on this CPU, park for a bounded time only: see isBorrowerRunning.
        let timeout = self.isBorrowerRunning ? LoomTuning.asyncParkWhileBorrowed : nil
        self.sleep.sleep(sleeper, atMost: timeout) { self.hasWork || self.isTerminating }
    }

    /// `true` when a compute thread that borrows this pool's CPUs runs a job (a hint).
    ///
    /// Then an idle async thread parks for ``LoomTuning/asyncParkWhileBorrowed`` at a time rather than until woken.
    /// The kernel's EEVDF scheduler may keep running the idle-priority borrower while a normal thread on the same CPU
    /// is runnable but was preempted a moment before (SwiftNIO's thread, when this thread's wake-up preempted it):
    /// such a thread is not "eligible", and nothing makes the kernel choose again until its next tick, 4 ms on a
    /// HZ=250 kernel. The timed wake-up of this thread is such a choice, so that wait is bounded by the timeout.
    /// A park that began before a borrower started a job still lasts until woken: the case this addresses is the
    /// thread that was just woken (and so preempted the NIO thread), whose next park starts while the borrower runs.
    /// Measured: `Documentation/Internals/AsyncPool.md`, "The tick".
    private var isBorrowerRunning: Bool {
        // Relaxed: a hint.
        self.borrowers.contains { $0.activity.load(ordering: .relaxed) == ThreadActivity.running.rawValue }
    }

    /// Work for the calling pool thread: a job in the shared queue (a hint until after a fence) or in the local
    /// FIFO (exact: only this thread touches it).
    private var hasWork: Bool {
        !self.queue.isEmpty || self.localHead < self.localJobs.count
    }

    /// `true` when a compute thread that borrows this pool's CPUs runs a job, or when this pool competes with the
    /// compute pool for CPUs and every compute worker is running a job (none is searching or parked), so every CPU
    /// may be needed by a compute worker. A hint only.
    var isComputeSaturated: Bool {
        if self.isBorrowerRunning { return true }
        guard let compute = self.contendedBy else { return false }
        // Relaxed: only decides how long to spin.
        return compute.sleepers.load(ordering: .relaxed) == 0 && compute.searching.load(ordering: .relaxed) == 0
    }

    private var isTerminating: Bool {
        self.terminating.load(ordering: .acquiring)  // Acquire: pairs with the store in close().
    }

    /// The calling thread is one of this pool's.
    var isCurrentThreadInPool: Bool {
        cloom_current_async_pool() == Unmanaged.passUnretained(self).toOpaque()
    }

    /// `true` on a thread of any async pool.
    static var isCurrentThreadAsyncWorker: Bool { cloom_current_async_pool() != nil }

    // MARK: Diagnostics

    /// The thread infos as the threads really run: a thread whose pin the kernel refused shows no CPUs.
    var runningThreadInfos: [LoomThreadInfo] {
        self.threads.map(\.runningInfo)
    }

    /// A snapshot of the pool for ``LoomRuntime/diagnostics()``.
    func diagnostics() -> LoomDiagnostics.PoolState {
        let local = self.localCount.load(ordering: .relaxed)  // Relaxed: a snapshot.
        let threads = zip(self.runningThreadInfos, self.sleep.members).map { info, sleeper in
            LoomDiagnostics.ThreadState(info: info, sleeper: sleeper, queuedJobs: self.isSingleThreaded ? local : 0)
        }
        return LoomDiagnostics.PoolState(
            pool: .async,
            threads: threads,
            sharedQueueJobs: self.queue.count,
            sleep: self.sleep
        )
    }

    /// The pool's counters for ``LoomRuntime/statistics()``.
    func statistics(now: UInt64) -> LoomStatistics.PoolStatistics {
        let local = self.localCount.load(ordering: .relaxed)  // Relaxed: a snapshot.
        let threads = zip(self.runningThreadInfos, self.sleep.members).map { info, sleeper in
            LoomStatistics.ThreadStatistics(
                info: info,
                sleeper: sleeper,
                queueDepth: self.isSingleThreaded ? local : 0,
                now: now
            )
        }
        return LoomStatistics.PoolStatistics(
            pool: .async,
            threads: threads,
            sharedQueueDepth: self.queue.count,
            sleep: self.sleep
        )
    }

    // MARK: Bridge latencies

    /// Counts one bridge call of `kind` and, when it was timed (`start` is its ``cloom_monotonic_ns()``, not 0),
    /// records its latency: into the calling thread's own recorders when it is one of this pool's threads (plain
    /// stores), else into the shared ones (atomic adds).
    func recordBridgeCall(_ kind: BridgeLatency.Kind, since start: UInt64) {
        let elapsed = start == 0 ? 0 : cloom_monotonic_ns() &- start
        if self.isCurrentThreadInPool, let raw = cloom_current_latency_stripe() {
            Unmanaged<BridgeLatency>.fromOpaque(raw)._withUnsafeGuaranteedRef { stripe in
                stripe.countAsOnlyWriter(kind)
                if start != 0 { stripe[kind].recordAsOnlyWriter(elapsed) }
            }
        } else {
            self.sharedLatency.countShared(kind)
            if start != 0 { self.sharedLatency[kind].recordShared(elapsed) }
        }
    }

    /// Bridge calls of one kind, over every thread.
    func bridgeCalls(_ kind: BridgeLatency.Kind) -> UInt64 {
        (self.latencyStripes + [self.sharedLatency]).reduce(0) { $0 &+ $1.calls(kind) }
    }

    /// The histogram of one kind of bridge latency, over every recorder.
    func latencyHistogram(_ kind: BridgeLatency.Kind) -> LoomStatistics.LatencyHistogram {
        LatencyRecorder.histogram(of: (self.latencyStripes + [self.sharedLatency]).map { $0[kind] })
    }

    // MARK: Lifecycle

    /// Lets queued jobs run, stops the threads and joins them (unless `join` is `false`, or the caller is one of
    /// them). Idempotent. Later jobs go to the global executor.
    func close(join: Bool = true) {
        let first = self.closeState.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        self.queue.close()
        // Sequentially consistent: pairs with the fence in Sleep.sleep, so an announcing worker sees it.
        self.terminating.store(true, ordering: .sequentiallyConsistent)
        self.sleep.wakeAll()
        if join && !self.isCurrentThreadInPool {
            for thread in self.threads { thread.join() }
        }
    }
}

/// The bridge's call counts and latency recorders of one async thread (or the shared set).
final class BridgeLatency: Sendable {
    enum Kind { case spawnCompute, computeMapItem }

    private let spawnCompute = LatencyRecorder()
    private let computeMapItem = LatencyRecorder()
    private let spawnComputeCalls = Atomic<UInt64>(0)
    private let computeMapItemCalls = Atomic<UInt64>(0)

    /// Counts a call; only the stripe's thread may call this (a load and a store).
    func countAsOnlyWriter(_ kind: Kind) {
        switch kind {
        case .spawnCompute:
            self.spawnComputeCalls.store(self.spawnComputeCalls.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        case .computeMapItem:
            self.computeMapItemCalls.store(self.computeMapItemCalls.load(ordering: .relaxed) &+ 1, ordering: .relaxed)
        }
    }

    /// Counts a call from any thread.
    func countShared(_ kind: Kind) {
        switch kind {
        case .spawnCompute: self.spawnComputeCalls.add(1, ordering: .relaxed)
        case .computeMapItem: self.computeMapItemCalls.add(1, ordering: .relaxed)
        }
    }

    func calls(_ kind: Kind) -> UInt64 {
        switch kind {
        case .spawnCompute: self.spawnComputeCalls.load(ordering: .relaxed)
        case .computeMapItem: self.computeMapItemCalls.load(ordering: .relaxed)
        }
    }

    subscript(kind: Kind) -> LatencyRecorder {
        switch kind {
        case .spawnCompute: self.spawnCompute
        case .computeMapItem: self.computeMapItem
        }
    }
}
