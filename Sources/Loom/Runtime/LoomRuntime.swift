import CLoomSystem
import CoreMetrics
import Logging
import LoomCompute
import LoomConfiguration
import LoomSystem
import NIOCore
import NIOPosix
import Synchronization

/// One runtime, two pinned thread pools: an async pool for Swift concurrency (and SwiftNIO) and a work-stealing
/// compute pool for CPU-bound work.
///
/// ```swift
/// let runtime = try LoomBuilder()
///     .prefix("myapp")
///     .asyncThreads(2)
///     .computeThreads(6)
///     .build()
///
/// let value = try runtime.blockOn {
///     let io = runtime.spawnAsync { await fetch() }
///     let sum = await runtime.spawnCompute { (0..<1_000_000).reduce(0, +) }
///     return await io.value + sum
/// }
/// runtime.blockUntilIdle()
/// ```
///
/// - The async pool runs tasks started with ``spawnAsync(_:)-(()->T)`` and ``blockOn(_:)``, and any task that
///   prefers ``asyncExecutor``. Its threads are named `{prefix}-async-NNNN` and pinned to the async CPUs; the NIO
///   event loops of ``eventLoopGroup`` run on the same CPUs.
/// - The compute pool (``computePool``) runs ``spawnCompute(_:)``, ``scopeCompute(_:)``, ``install(_:)`` and
///   `.parallel` operations called from its threads. Its threads are named `{prefix}-compute-NNNN`.
///
/// `spawnAsync`, `spawnCompute` and `scopeCompute` are *tracked*: ``blockUntilIdle()`` and ``waitForShutdown()``
/// wait for them. Closing the runtime (``close()`` or dropping the last reference) lets queued work finish and
/// joins every thread.
///
/// - Important: ``blockOn(_:)``, ``blockUntilIdle()`` and ``close()`` block the calling thread; calling them from a
///   Loom thread would make a pool wait for itself, so it traps with a message saying what to do instead.
public final class LoomRuntime: Sendable, CustomStringConvertible {
    /// The resolved configuration: every value with its source, the allowed CPUs and the thread plan.
    public let configuration: LoomConfiguration
    /// The work-stealing compute pool (untracked `spawn`, `install`, `join`, `scope`).
    public let computePool: ComputePool
    let asyncPool: AsyncPool
    let tracker = TaskTracker()
    let handle: RuntimeHandle
    let nio: LockedValue<MultiThreadedEventLoopGroup?> = LockedValue(nil)
    let ioThreads: LockedValue<[LoomThreadInfo]> = LockedValue([])
    /// The blocking pool, once used, and its threads.
    let blocking: LockedValue<(pool: NIOThreadPool, threads: [LoomThreadInfo])?> = LockedValue(nil)
    /// Whether a blocking call found the blocking pool shut down underneath the runtime (logged once).
    let blockingPoolGoneReported = LockedValue(false)
    /// The extra reference to `handle` that the NIO loops' thread-local slots hold, released after the group stops.
    let nioHandleRetain: LockedValue<Unmanaged<RuntimeHandle>?> = LockedValue(nil)
    let closed = LockedValue(false)
    /// Whether a blocking call from inside a task has been reported (once per runtime).
    let warnedAboutBlocking = Atomic<Bool>(false)
    /// The stall reporter, when ``LoomConfiguration/watchdog`` is set.
    let watchdog: LockedValue<HelperLoop?> = LockedValue(nil)
    /// The swift-metrics reporter, when there is a factory and ``LoomConfiguration/metricsInterval`` is set.
    let metricsReporter: LockedValue<(reporter: MetricsReporter, loop: HelperLoop)?> = LockedValue(nil)
    /// The statistics console, when ``LoomConfiguration/console`` is set.
    let console: LockedValue<ConsoleServer?> = LockedValue(nil)
    /// When the runtime started (``cloom_monotonic_ns()``).
    let startedAt = cloom_monotonic_ns()

    /// The logger of runtimes that were not given one (``LoomBuilder/logger(_:)``), and of messages that belong to no
    /// runtime.
    static let logger = Logger(label: "loom")

    /// Where this runtime reports warnings and the watchdog's findings.
    public let logger: Logger

    /// Starts the threads `configuration` plans. Prefer ``LoomBuilder/build()``, which resolves the configuration
    /// and logs its warnings.
    ///
    /// - Parameters:
    ///   - configuration: a resolved configuration (``LoomBuilder/resolve()``).
    ///   - logger: where the runtime reports (see ``LoomBuilder/logger(_:)``); `nil` for a `Logger` labelled `loom`.
    ///   - metricsFactory: where the runtime reports its statistics (see ``LoomBuilder/metricsFactory(_:)``); `nil`
    ///     for the factory the application bootstrapped, if any.
    ///   - threadHooks: code to run on each async and compute thread as it starts and exits (see
    ///     ``LoomBuilder/onThreadStart(_:)``).
    /// - Throws: ``LoomError`` with code ``LoomError/Code/systemError`` if a thread cannot be started.
    public init(
        configuration: LoomConfiguration,
        logger: Logger? = nil,
        metricsFactory: (any MetricsFactory)? = nil,
        threadHooks: LoomThreadHooks = LoomThreadHooks()
    ) throws(LoomError) {
        self.configuration = configuration
        let logger = logger ?? LoomRuntime.logger
        self.logger = logger
        let handle = RuntimeHandle()
        self.handle = handle
        let markThread: @Sendable () -> Void = {
            cloom_set_current_runtime(Unmanaged.passUnretained(handle).toOpaque())
        }
        let prefix = configuration.prefix
        let warn: @Sendable (String, LoomThreadInfo) -> Void = { [logger] message, thread in
            logger.warning("\(message)", metadata: Self.metadata(prefix, thread))
        }
        let asyncInfos = configuration.threads.filter { $0.pool == .async }
        let computeInfos = configuration.threads.filter { $0.pool == .compute }
        self.computePool = try ComputePool(
            name: configuration.prefix,
            threads: computeInfos,
            measuresTime: configuration.statistics,
            warn: warn,
            hooks: threadHooks,
            onThreadStart: { withExtendedLifetime(handle) { markThread() } }
        )
        do {
            let compete = Self.poolsCompeteForCPUs(configuration)
            if compete { self.computePool.registry.yieldsWhileSearching.store(true, ordering: .relaxed) }
            let registry = self.computePool.registry
            let borrowers = zip(computeInfos, registry.sleep.members).filter { $0.0.priority == .idle }.map(\.1)
            self.asyncPool = try AsyncPool(
                threads: asyncInfos,
                contendedBy: compete ? registry.sleep : nil,
                borrowers: borrowers,
                measuresTime: configuration.statistics,
                warn: warn,
                hooks: threadHooks,
                onStart: {
                    withExtendedLifetime(handle) { markThread() }
                    registry.becomeDefaultOfCurrentThread()
                }
            )
        } catch {
            self.computePool.close()
            throw error
        }
        handle.attach(self)
        Self.installRuntimeLookup
        if let interval = configuration.watchdog {
            do {
                let watchdog = try Watchdog.start(
                    prefix: configuration.prefix,
                    interval: interval,
                    snapshot: Self.diagnosticsSource(
                        prefix: configuration.prefix,
                        asyncPool: self.asyncPool,
                        registry: self.computePool.registry,
                        tracker: self.tracker
                    ),
                    report: { [logger] report in
                        logger.warning("\(report)", metadata: ["loom.runtime": "\(prefix)"])
                    }
                )
                self.watchdog.withLock { $0 = watchdog }
            } catch {
                self.shutDownPools(join: true)
                throw error
            }
        }
        do {
            try self.startObservers(metricsFactory: metricsFactory)
        } catch {
            self.shutDownPools(join: true)
            throw error
        }
    }

    /// Starts the metrics reporter and the console, when configured.
    private func startObservers(metricsFactory: (any MetricsFactory)?) throws(LoomError) {
        let statistics = Self.statisticsSource(
            prefix: configuration.prefix,
            startedAt: self.startedAt,
            asyncPool: self.asyncPool,
            registry: self.computePool.registry,
            tracker: self.tracker
        )
        if let interval = self.configuration.metricsInterval,
            let factory = MetricsReporter.factory(configured: metricsFactory)
        {
            let reporter = MetricsReporter(prefix: self.configuration.prefix, factory: factory, snapshot: statistics)
            let loop = try HelperLoop.start(
                prefix: self.configuration.prefix,
                name: "metrics",
                shortName: "met",
                period: interval
            ) { reporter.report() }
            self.metricsReporter.withLock { $0 = (reporter, loop) }
        }
        if let path = self.configuration.console {
            let server = try ConsoleServer.start(
                path: path,
                source: self.configuration.source(of: .console).description,
                prefix: self.configuration.prefix,
                snapshot: statistics
            )
            self.console.withLock { $0 = server }
        }
    }

    deinit {
        self.shutDownPools(join: !Self.isOnLoomThread)
    }

    /// Lets the compute pool find the current runtime's pool for async callers (`await xs.parallel.map { … }` in a
    /// `blockOn` body that hopped to another executor). Set once, by the first runtime.
    private static let installRuntimeLookup: Void = Registry.runtimeLookup.withLock { lookup in
        lookup = { LoomRuntime.current?.computePool.registry }
    }

    /// Whether an idle async thread that spins would take a CPU a compute worker needs: the pools may run on the same
    /// CPUs (pinning off, or one CPU shared by both) and there are more threads than those CPUs.
    static func poolsCompeteForCPUs(_ configuration: LoomConfiguration) -> Bool {
        let cpus: CPUSet
        if configuration.pinThreads {
            if configuration.asyncCPUs.isDisjoint(with: configuration.computeCPUs) { return false }
            cpus = configuration.asyncCPUs.union(configuration.computeCPUs)
        } else {
            cpus = configuration.usableCPUs
        }
        // Idle-priority compute threads (borrowers) do not count: they never take a CPU a normal thread wants.
        let ownComputeThreads = configuration.threads.filter { $0.pool == .compute && $0.priority == .normal }.count
        return configuration.asyncThreads + ownComputeThreads > max(1, cpus.count)
    }

    /// The async pool as a `TaskExecutor`, for untracked tasks:
    /// `Task(executorPreference: runtime.asyncExecutor) { … }`.
    public var asyncExecutor: any TaskExecutor { self.asyncPool }

    /// Every thread of the runtime: pool, index, full name, kernel name (what `top` shows) and the CPUs it is
    /// pinned to (empty when pinning is off). The NIO event-loop threads (pool `io`) appear once
    /// ``eventLoopGroup`` has been used.
    ///
    /// A thread whose pin the kernel refused (its CPUs offline or outside the cgroup's cpuset) is listed with no CPUs,
    /// as it really runs; ``configuration`` keeps the plan.
    public var threads: [LoomThreadInfo] {
        self.asyncPool.runningThreadInfos + self.computePool.registry.runningThreadInfos
            + self.ioThreads.withLock { $0 } + (self.blocking.withLock { $0?.threads } ?? [])
    }

    /// `LoomRuntime[myapp]: async(2, cpus=0-1) compute(6, cpus=2-7)`.
    public var description: String {
        let configuration = self.configuration
        return "LoomRuntime[\(configuration.prefix)]: async(\(configuration.asyncThreads), "
            + "cpus=\(configuration.asyncCPUs)) compute(\(configuration.computeThreads), "
            + "cpus=\(configuration.computeCPUs))"
    }

    // MARK: Tracking

    /// `true` when no tracked async or compute task is in flight.
    public var isIdle: Bool { self.tracker.isIdle }

    /// The number of tracked `spawnCompute` / `scopeCompute` calls now running.
    public var computeTasksInFlight: Int { self.tracker.computeInFlight }

    /// The number of tracked `spawnAsync` tasks now running.
    public var asyncTasksInFlight: Int { self.tracker.asyncInFlight }

    // MARK: Misuse checks

    /// `true` on a thread of any Loom runtime or compute pool.
    static var isOnLoomThread: Bool {
        cloom_current_runtime() != nil || cloom_current_worker() != nil || AsyncPool.isCurrentThreadAsyncWorker
    }

    package static func currentThreadName() -> String {
        var buffer = [CChar](repeating: 0, count: 32)
        _ = buffer.withUnsafeMutableBufferPointer { cloom_get_name_self($0.baseAddress, $0.count) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Logs, once per runtime, that a blocking call holds a thread that runs Swift tasks (usually one of Swift's
    /// cooperative pool, which has one thread per CPU).
    func warnOnceAboutBlocking(_ function: String, instead: String) {
        guard !self.warnedAboutBlocking.exchange(true, ordering: .relaxed) else { return }  // Relaxed: only once.
        let message =
            "LoomRuntime.\(function) was called from inside a Swift task on thread '\(Self.currentThreadName())' "
            + "(through a synchronous function): that thread, usually one of Swift's cooperative pool, stays blocked "
            + "until the work is done, and the pool has only one thread per CPU. From async code, \(instead)"
        self.logger.warning("\(message)", metadata: ["loom.runtime": "\(self.configuration.prefix)"])
    }

    /// The metadata of a message about one thread: `loom.runtime` (the prefix), `loom.pool`, `loom.thread` (its full
    /// name) and `loom.cpus` (the CPUs it was meant to run on; `-` for none).
    static func metadata(_ prefix: String, _ thread: LoomThreadInfo) -> Logger.Metadata {
        [
            "loom.runtime": "\(prefix)",
            "loom.pool": "\(thread.pool)",
            "loom.thread": "\(thread.name)",
            "loom.cpus": "\(thread.cpus.isEmpty ? "-" : thread.cpus.description)",
        ]
    }

    static func preconditionNotOnLoomThread(_ function: String, instead: String) {
        precondition(
            !isOnLoomThread,
            "LoomRuntime.\(function) was called on Loom thread '\(currentThreadName())'; it would block a pool "
                + "thread waiting for work that needs that pool. \(instead)"
        )
    }
}

/// What a Loom thread's thread-local slot points at: a weak reference to its runtime, so that
/// ``LoomRuntime/current`` never returns a runtime that is being torn down. Each thread keeps the handle alive.
final class RuntimeHandle: Sendable {
    private let box = LockedValue(WeakRuntime())

    struct WeakRuntime {
        weak var runtime: LoomRuntime?
    }

    func attach(_ runtime: LoomRuntime) { self.box.withLock { $0.runtime = runtime } }

    var runtime: LoomRuntime? { self.box.withLock { $0.runtime } }
}
