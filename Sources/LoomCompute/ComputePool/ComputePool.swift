import CLoomSystem
import LoomSystem
import Synchronization

/// A work-stealing pool of threads for CPU-bound work, in the class of Rust's rayon.
///
/// Each worker has its own deque: work a worker creates (the second half of a ``join(_:_:)``, the jobs of a
/// ``scope(_:)``) goes on its own deque, newest first, and idle workers steal the oldest jobs from the others.
/// Work from outside the pool goes through a shared queue. Idle workers spin briefly, then park.
///
/// ```swift
/// let pool = try ComputePool(threads: 4, name: "work")
/// let (a, b) = pool.join({ fib(30) }, { fib(31) })
/// let r = pool.install { (0..<1_000_000).parallel.map { $0 &* 3 }.reduce(0, &+) }
/// pool.scope { s in for chunk in chunks { s.spawn { process(chunk) } } }
/// pool.spawn { log("done") }
/// ```
///
/// A pool works on its own, without a ``LoomRuntime``; a runtime owns one, pinned to its compute CPUs
/// (``LoomRuntime/computePool``). ``shared`` is a process-wide pool with one thread per allowed CPU.
///
/// - Important: A closure that *traps* (a failed precondition, a forced unwrap of `nil`) crashes the process, as
///   anywhere in Swift: there is no unwinding to catch. Closures that *throw* are handled: the error reaches the
///   caller after all work the call started has finished.
///
/// Closing the pool (``close()``, or dropping the last reference) lets queued work finish, then joins the threads.
public final class ComputePool: Sendable {
    @usableFromInline
    package let registry: Registry
    /// The pool as a `TaskExecutor` (for the async bridge).
    package let taskExecutor: ComputeTaskExecutor
    /// The name the pool's threads carry (`{name}-compute-0000`, ...).
    public let name: String
    private let closed = Atomic<Bool>(false)
    private let isShared: Bool

    /// Starts a pool of `threads` worker threads named `{name}-compute-NNNN` (not pinned to CPUs).
    ///
    /// - Parameters:
    ///   - threads: the number of worker threads, at least 1.
    ///   - name: the prefix of the threads' names.
    ///   - onThreadStart: runs on each worker before its first job (see ``LoomThreadHooks``).
    ///   - onThreadExit: runs on each worker after its last job, when the pool closes.
    /// - Throws: ``LoomError`` if `threads` is less than 1 or more than 4 096, or if the threads cannot be started
    ///   (then no thread is left running).
    ///
    /// ```swift
    /// let pool = try ComputePool(threads: 4, name: "render", onThreadStart: { info in
    ///     Scratch.prepare(for: info.index)   // a per-thread buffer, made once
    /// })
    /// ```
    public convenience init(
        threads: Int,
        name: String = "compute",
        onThreadStart: (@Sendable (LoomThreadInfo) -> Void)? = nil,
        onThreadExit: (@Sendable (LoomThreadInfo) -> Void)? = nil
    ) throws(LoomError) {
        guard threads >= 1, threads <= LoomThreadInfo.maximumThreadsPerPool else {
            throw LoomError.invalidValue(
                key: "threads",
                value: "\(threads)",
                source: "code (ComputePool.init)",
                reason: threads < 1
                    ? "a compute pool needs at least one thread"
                    : "expected at most \(LoomThreadInfo.maximumThreadsPerPool) threads per pool"
            )
        }
        let infos = ThreadNames.threads(prefix: name, pool: .compute, cpus: Array(repeating: CPUSet(), count: threads))
        try self.init(name: name, threads: infos, hooks: LoomThreadHooks(onStart: onThreadStart, onExit: onThreadExit))
    }

    /// Starts a pool with one worker per entry of `threads` (named and pinned as given).
    package init(
        name: String,
        threads: [LoomThreadInfo],
        isShared: Bool = false,
        measuresTime: Bool = true,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void = PinnedThread.warnOnStandardError,
        hooks: LoomThreadHooks = LoomThreadHooks(),
        onThreadStart: (@Sendable () -> Void)? = nil
    ) throws(LoomError) {
        self.name = name
        self.isShared = isShared
        let registry = try Registry(
            name: name,
            threads: threads,
            stackSize: LoomTuning.computeStackSize,
            measuresTime: measuresTime,
            warn: warn,
            hooks: hooks,
            onStart: onThreadStart
        )
        self.registry = registry
        self.taskExecutor = ComputeTaskExecutor(registry: registry)
        registry.executor = self.taskExecutor
        registry.taskExecutor = self.taskExecutor.asUnownedTaskExecutor()
    }

    deinit {
        self.registry.terminate()
        // The last reference can be dropped on a thread of some pool (a job of this pool, an async task): that thread
        // must not wait, since the work this pool still runs may need it. The workers still drain the queues and exit
        // on their own (each holds the registry).
        if !Registry.isOnPoolThread { self.registry.joinThreads() }
    }

    /// The process-wide pool, created on first use with one thread per CPU the process may use
    /// (``CPUSet/allowed()``), named `loom-shared-compute-NNNN` and not pinned. It is never closed.
    ///
    /// Free ``join(_:_:)``, ``scope(_:)`` and `.parallel` operations use it outside any pool.
    public static let shared: ComputePool = {
        let count = (try? CPUSet.allowed().count) ?? 1
        let name = "loom-shared"
        let infos = ThreadNames.threads(prefix: name, pool: .compute, cpus: Array(repeating: CPUSet(), count: count))
        do {
            return try ComputePool(name: name, threads: infos, isShared: true)
        } catch {
            fatalError("Loom could not start the shared compute pool: \(error)")
        }
    }()

    /// The number of worker threads.
    public var threadCount: Int { self.registry.threadCount }

    /// The pool's counters: per worker, jobs run, steals, injector pops, parks, busy and idle time, queue depth.
    /// Cheap to take: it reads what each worker keeps for itself and stops nobody. A runtime's pool is also part of
    /// ``LoomRuntime/statistics()``.
    public func statistics() -> LoomStatistics.PoolStatistics {
        self.registry.statistics(now: cloom_monotonic_ns())
    }

    /// Stops the pool: work already queued still runs, then the worker threads exit and are joined.
    /// Idempotent. Submitting work afterwards is a programming error (it traps).
    ///
    /// - Important: Calling `close()` from one of the pool's own threads traps: it would wait for itself.
    public func close() {
        precondition(!self.isShared, "ComputePool.shared cannot be closed; create your own pool to close it.")
        guard !self.closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        self.registry.terminate()
        self.registry.joinThreads()
    }
}
