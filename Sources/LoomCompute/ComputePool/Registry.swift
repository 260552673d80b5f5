import CLoomSystem
import LoomSystem
import Synchronization

/// The shared state of one compute pool: its workers, the injector, the sleep module and the lifecycle
/// (rayon-core's `Registry`). ``ComputePool`` is the public handle; worker threads keep the registry alive until
/// they exit, so a job never outlives the memory it runs in.
@usableFromInline
package final class Registry: @unchecked Sendable {
    // Sendable: `workers` and `threads` are written once in init (before any thread starts) and only read after;
    // everything else is atomic or locked.

    package let name: String
    /// Written once in init, before any thread starts; `@exclusivity(unchecked)` spares every read (each look for work)
    /// the dynamic exclusivity check.
    @usableFromInline
    @exclusivity(unchecked) private(set) var workers: [WorkerThread] = []
    @usableFromInline
    package let sleep: Sleep
    package let injector = Injector<JobRef>()
    private let terminating = Atomic<Bool>(false)
    private var threads: [PinnedThread] = []
    /// The thread infos, in worker order.
    package let threadInfos: [LoomThreadInfo]
    /// The pool's `TaskExecutor` face (set once by ``ComputePool`` before any task can hop here). The registry owns it,
    /// so it lives as long as any thread or task that can reach the registry.
    package var executor: ComputeTaskExecutor?
    /// ``executor`` as an unowned reference, for running jobs.
    @usableFromInline
    package var taskExecutor: UnownedTaskExecutor?
    /// `true` when other busy threads may need the CPUs of this pool's idle workers: the pool has more threads than
    /// CPUs, or (set by ``LoomRuntime``) its CPUs are shared with an async pool that is itself short of CPUs. Idle
    /// workers then give the CPU away (`sched_yield`) from their first spin round instead of spinning on `pause`, so
    /// a thread woken onto their CPU runs at once.
    package let yieldsWhileSearching: Atomic<Bool>
    /// The user's thread start/exit hooks (``LoomThreadHooks``); the workers call them.
    package let hooks: LoomThreadHooks

    /// Starts one worker thread per entry of `threads`; each runs `onStart` first (the runtime marks its threads).
    /// A refused pin is reported through `warn`.
    package init(
        name: String,
        threads infos: [LoomThreadInfo],
        stackSize: Int,
        measuresTime: Bool = true,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void = PinnedThread.warnOnStandardError,
        hooks: LoomThreadHooks = LoomThreadHooks(),
        onStart: (@Sendable () -> Void)? = nil
    ) throws(LoomError) {
        precondition(!infos.isEmpty, "a compute pool needs at least one thread")
        self.name = name
        self.hooks = hooks
        self.threadInfos = infos
        self.sleep = Sleep(
            members: infos.map { _ in Sleeper(measuresTime: measuresTime) },
            preferred: infos.firstIndex { $0.priority == .idle } ?? infos.count
        )
        self.yieldsWhileSearching = Atomic(Self.isOversubscribed(infos))
        self.workers = infos.indices.map { WorkerThread(index: $0, registry: self) }
        let workers = self.workers
        self.threads = try PinnedThread.startAll(
            infos,
            stackSize: stackSize,
            warn: warn,
            body: { index in
                // The thread's closure holds the registry until the thread exits.
                { [self] in
                    onStart?()
                    workers[index].run()
                    withExtendedLifetime(self) {}
                }
            },
            stopStarted: { started in
                self.threads = started
                self.terminate()
                self.joinThreads()
            }
        )
    }

    package var threadCount: Int { self.workers.count }

    /// The thread infos as the threads really run: a thread whose pin the kernel refused shows no CPUs.
    package var runningThreadInfos: [LoomThreadInfo] {
        self.threads.map(\.runningInfo)
    }

    /// A snapshot of the pool for ``LoomRuntime/diagnostics()``.
    package func diagnostics() -> LoomDiagnostics.PoolState {
        let threads = zip(self.runningThreadInfos, self.workers).map { info, worker in
            LoomDiagnostics.ThreadState(info: info, sleeper: worker.sleeper, queuedJobs: worker.deque.count)
        }
        return LoomDiagnostics.PoolState(
            pool: .compute,
            threads: threads,
            sharedQueueJobs: self.injector.count,
            sleep: self.sleep
        )
    }

    /// The pool's counters for ``ComputePool/statistics()`` and ``LoomRuntime/statistics()``, at `now`
    /// (``cloom_monotonic_ns()``).
    package func statistics(now: UInt64) -> LoomStatistics.PoolStatistics {
        let threads = zip(self.runningThreadInfos, self.workers).map { info, worker in
            LoomStatistics.ThreadStatistics(
                info: info,
                sleeper: worker.sleeper,
                queueDepth: worker.deque.count,
                now: now
            )
        }
        return LoomStatistics.PoolStatistics(
            pool: .compute,
            threads: threads,
            sharedQueueDepth: self.injector.count,
            sleep: self.sleep
        )
    }

    /// More threads than the CPUs they may run on: the union of their pins, or the process's CPUs if any thread is
    /// unpinned.
    package static func isOversubscribed(_ infos: [LoomThreadInfo]) -> Bool {
        // Idle-priority threads (borrowers of the async CPUs) never take a CPU a normal thread wants.
        let infos = infos.filter { $0.priority == .normal }
        guard !infos.isEmpty else { return false }
        let cpus: Int
        if infos.allSatisfy({ !$0.cpus.isEmpty }) {
            cpus = infos.reduce(CPUSet()) { $0.union($1.cpus) }.count
        } else {
            cpus = (try? CPUSet.allowed())?.count ?? 1
        }
        return infos.count > max(1, cpus)
    }

    @usableFromInline
    package var isTerminating: Bool {
        self.terminating.load(ordering: .acquiring)  // Acquire: pairs with the store in terminate().
    }

    /// `true` when some deque or the injector holds a job (a hint, exact after a sequentially consistent fence).
    package func hasVisibleWork() -> Bool {
        if !self.injector.isEmpty { return true }
        for worker in self.workers where !worker.deque.isEmpty { return true }
        return false
    }

    /// `true` on a thread that belongs to any Loom pool: a compute worker, an async-pool thread, a runtime's I/O
    /// thread. Such a thread must not wait for a pool to stop (the pool's work may need it).
    package static var isOnPoolThread: Bool {
        cloom_current_worker() != nil || cloom_current_async_pool() != nil || cloom_current_runtime() != nil
    }

    /// `true` when the calling thread is one of this pool's workers.
    @inlinable
    package var isCurrentThreadWorker: Bool { WorkerThread.current?.registry === self }

    // MARK: Injecting work from outside

    /// Queues a Swift concurrency job: on the calling worker's deque if it belongs to this pool, else through the
    /// injector. After the pool closed, returns `false` (the caller hands the job to another executor).
    package func enqueueTask(_ job: UnownedJob) -> Bool {
        let ref = JobRef(task: job)
        if let worker = WorkerThread.current, worker.registry === self {
            worker.push(ref)
            return true
        }
        guard self.injector.push(ref) else { return false }
        self.sleep.newWork()
        return true
    }

    /// Queues a job from a thread that is not one of this pool's workers.
    @usableFromInline
    package func inject(_ job: JobRef) {
        guard self.injector.push(job) else {
            preconditionFailure(
                "Work was submitted to compute pool '\(self.name)' after it was closed; keep the pool (or its "
                    + "runtime) alive until the work is submitted, or submit before calling close()."
            )
        }
        self.sleep.newWork()
    }

    // MARK: Lifecycle

    /// Refuses new external work, lets queued work finish, and tells the workers to exit when idle.
    package func terminate() {
        self.injector.close()
        // Sequentially consistent: pairs with the fence in Sleep.sleep, so an announcing worker sees it.
        self.terminating.store(true, ordering: .sequentiallyConsistent)
        self.sleep.wakeAll()
    }

    /// Waits for every worker thread to exit. Must not be called from one of them.
    package func joinThreads() {
        precondition(
            !self.isCurrentThreadWorker,
            "A compute pool cannot be closed from one of its own worker threads: it would wait for itself. "
                + "Close it from outside the pool."
        )
        for thread in self.threads { thread.join() }
    }
}

// MARK: - The calling thread's pool, and submitting work

extension Registry {
    /// Whether a thread of this pool is out of work (searching or asleep) while the calling worker's deque is empty,
    /// so that nothing the calling thread has queued can feed it: then a running leaf of a parallel operation should
    /// split what it has left (`runLeaf`). Relaxed loads: a stale answer only makes a leaf split one piece early
    /// or late. Call it on a worker of this pool.
    @inlinable
    package var hasIdleThreadAndNothingToSteal: Bool {
        // Relaxed: a hint, see above.
        guard self.sleep.searching.load(ordering: .relaxed) > 0 || self.sleep.sleepers.load(ordering: .relaxed) > 0
        else { return false }
        return WorkerThread.withCurrent { worker in worker?.deque.isEmpty ?? false }
    }

    /// The pool free `join`, `scope` and `.parallel` run on: the calling worker's, else the thread's default pool (a
    /// runtime's compute pool, on that runtime's async and I/O threads), else ``ComputePool/shared``.
    @inlinable
    package static var currentOrShared: Registry {
        if let worker = WorkerThread.current { return worker.registry }
        if let raw = cloom_default_registry() { return Unmanaged<Registry>.fromOpaque(raw).takeUnretainedValue() }
        return ComputePool.shared.registry
    }

    /// Makes this pool the default of the calling thread (see ``currentOrShared``), for as long as the thread runs.
    /// The pool must outlive the thread: a runtime sets it on its own async and I/O threads, which stop before its
    /// compute pool goes away.
    package func becomeDefaultOfCurrentThread() {
        cloom_set_default_registry(Unmanaged.passUnretained(self).toOpaque())
    }

    /// Pushes a heap job: on the calling worker's deque if it belongs to this pool, else through the injector.
    package func spawn(_ job: JobRef) {
        if let worker = WorkerThread.current, worker.registry === self {
            worker.push(job)
        } else {
            self.inject(job)
        }
    }
}
