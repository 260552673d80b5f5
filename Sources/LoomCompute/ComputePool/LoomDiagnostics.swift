/// A snapshot of what a runtime's threads are doing and where its work waits: what the watchdog logs when work is
/// stuck (``LoomBuilder/watchdog(_:)``), and what ``LoomRuntime/diagnostics()`` returns.
///
/// The values are read without stopping the threads, so they are a consistent picture only when nothing moves —
/// which is exactly when a stalled runtime needs one. Each thread's own state is written by that thread alone, so
/// taking a snapshot costs the pools nothing.
///
/// ```swift
/// let report = runtime.diagnostics()
/// if report.queuedJobs > 0 && report.threads.allSatisfy({ $0.activity == .parked }) {
///     print(report)   // every thread asleep with work queued: a lost wake-up
/// }
/// ```
import LoomSystem

public struct LoomDiagnostics: Sendable, CustomStringConvertible {
    /// What a thread is doing.
    public enum Activity: String, Sendable, Codable, CustomStringConvertible {
        /// Started, not yet running its loop.
        case starting
        /// Running a job, or between two jobs.
        case running
        /// Idle and spinning (a `pause` per round) while it looks for work.
        case searching
        /// Idle and giving its CPU away (`sched_yield`) between looks for work, because CPUs are short.
        case yielding
        /// Announced to the sleep protocol and parked, or about to park.
        case parked
        /// Its thread has exited.
        case stopped

        public var description: String { self.rawValue }
    }

    /// One pool thread.
    public struct ThreadState: Sendable, CustomStringConvertible {
        /// The thread's pool, index, names and the CPUs it runs on.
        public let info: LoomThreadInfo
        /// What the thread is doing.
        public let activity: Activity
        /// Jobs it has run since it started.
        public let jobsRun: UInt64
        /// Times it has parked since it started.
        public let parks: UInt64
        /// Jobs waiting in its own queue (a compute worker's deque; the async pool's single-thread local queue).
        public let queuedJobs: Int
        /// Whether the sleep protocol lists it as asleep (announced, and not yet claimed by a waker).
        public let isListedAsleep: Bool

        public var description: String {
            var text = "\(self.info.name) [\(self.info.kernelName)] \(self.activity)"
            if self.info.priority == .idle { text += " (idle priority)" }
            text += ", jobs run \(self.jobsRun), parks \(self.parks)"
            if self.queuedJobs > 0 { text += ", \(self.queuedJobs) queued" }
            if self.isListedAsleep { text += ", listed asleep" }
            return text
        }
    }

    /// One pool: its threads, its shared queue and its sleep protocol's counters.
    public struct PoolState: Sendable, CustomStringConvertible {
        /// Which pool.
        public let pool: LoomThreadInfo.Pool
        /// Its threads, in index order.
        public let threads: [ThreadState]
        /// Jobs waiting in the pool's shared queue (the compute pool's injector; the async pool's queue).
        public let sharedQueueJobs: Int
        /// Threads the sleep protocol counts as asleep.
        public let sleepers: Int
        /// Threads spinning in search of work (while one searches, publishers wake nobody).
        public let searching: Int

        /// Every job waiting in this pool: the shared queue plus each thread's own queue.
        public var queuedJobs: Int { self.sharedQueueJobs + self.threads.reduce(0) { $0 + $1.queuedJobs } }

        /// Jobs run by all of this pool's threads.
        public var jobsRun: UInt64 { self.threads.reduce(0) { $0 &+ $1.jobsRun } }

        public var description: String {
            var lines = [
                "\(self.pool) pool: \(self.queuedJobs) queued (\(self.sharedQueueJobs) shared), "
                    + "\(self.sleepers) listed asleep, \(self.searching) searching"
            ]
            lines += self.threads.map { "  \($0)" }
            return lines.joined(separator: "\n")
        }
    }

    /// The runtime's thread-name prefix.
    public let prefix: String
    /// The async pool.
    public let asyncPool: PoolState
    /// The compute pool.
    public let computePool: PoolState
    /// Tracked `spawnAsync` tasks in flight.
    public let asyncTasksInFlight: Int
    /// Tracked `spawnCompute` / `scopeCompute` calls in flight.
    public let computeTasksInFlight: Int
    /// Whether ``LoomRuntime/shutdown()`` has been called.
    public let isShutDown: Bool
    /// How long no job has completed while work was waiting, when the watchdog took this snapshot; else `nil`.
    public let stalledFor: Duration?

    /// Every pool thread, async threads first.
    public var threads: [ThreadState] { self.asyncPool.threads + self.computePool.threads }

    /// Every job waiting in either pool.
    public var queuedJobs: Int { self.asyncPool.queuedJobs + self.computePool.queuedJobs }

    /// Jobs run by every pool thread (the watchdog's measure of progress).
    public var jobsRun: UInt64 { self.asyncPool.jobsRun &+ self.computePool.jobsRun }

    /// Whether there is work a thread should be doing: a queued job or a tracked task in flight.
    public var hasPendingWork: Bool {
        self.queuedJobs > 0 || self.asyncTasksInFlight > 0 || self.computeTasksInFlight > 0
    }

    /// A multi-line report: one line per pool and per thread, then the tracked counts.
    public var description: String {
        var lines: [String] = []
        if let stalledFor {
            let tenths = (stalledFor.inSeconds * 10).rounded()
            let what =
                self.queuedJobs > 0
                ? "\(self.queuedJobs) queued job(s) waited"
                : "nothing is queued, but tracked tasks are in flight (they may be waiting for a timer or I/O)"
            lines.append(
                "Loom runtime '\(self.prefix)': no job completed for \(tenths / 10) s; \(what)."
            )
        } else {
            lines.append("Loom runtime '\(self.prefix)':")
        }
        lines.append(self.asyncPool.description)
        lines.append(self.computePool.description)
        lines.append(
            "tracked: \(self.asyncTasksInFlight) async task(s), \(self.computeTasksInFlight) compute call(s) in flight"
                + (self.isShutDown ? "; shut down" : "")
        )
        return lines.joined(separator: "\n")
    }

    package init(
        prefix: String,
        asyncPool: PoolState,
        computePool: PoolState,
        asyncTasksInFlight: Int,
        computeTasksInFlight: Int,
        isShutDown: Bool,
        stalledFor: Duration?
    ) {
        self.prefix = prefix
        self.asyncPool = asyncPool
        self.computePool = computePool
        self.asyncTasksInFlight = asyncTasksInFlight
        self.computeTasksInFlight = computeTasksInFlight
        self.isShutDown = isShutDown
        self.stalledFor = stalledFor
    }

    /// The same snapshot, marked as taken by the watchdog after `duration` without progress.
    package func stalled(for duration: Duration) -> LoomDiagnostics {
        LoomDiagnostics(
            prefix: self.prefix,
            asyncPool: self.asyncPool,
            computePool: self.computePool,
            asyncTasksInFlight: self.asyncTasksInFlight,
            computeTasksInFlight: self.computeTasksInFlight,
            isShutDown: self.isShutDown,
            stalledFor: duration
        )
    }
}

extension LoomDiagnostics.ThreadState {
    package init(info: LoomThreadInfo, sleeper: Sleeper, queuedJobs: Int) {
        self.info = info
        self.activity = LoomDiagnostics.Activity(sleeper: sleeper)
        self.jobsRun = sleeper.jobsRun.load(ordering: .relaxed)
        self.parks = sleeper.parks.load(ordering: .relaxed)
        self.queuedJobs = queuedJobs
        self.isListedAsleep = sleeper.isListedAsleep
    }
}

extension LoomDiagnostics.Activity {
    /// What `sleeper`'s thread records itself doing (a hint).
    package init(sleeper: Sleeper) {
        // Relaxed: a hint, written by the thread itself.
        self =
            switch ThreadActivity(rawValue: sleeper.activity.load(ordering: .relaxed)) {
            case .starting, nil: .starting
            case .running: .running
            case .searching: .searching
            case .yielding: .yielding
            case .parked: .parked
            case .stopped: .stopped
            }
    }
}

extension LoomDiagnostics.PoolState {
    package init(pool: LoomThreadInfo.Pool, threads: [LoomDiagnostics.ThreadState], sharedQueueJobs: Int, sleep: Sleep)
    {
        self.pool = pool
        self.threads = threads
        self.sharedQueueJobs = sharedQueueJobs
        self.sleepers = sleep.sleepers.load(ordering: .relaxed)  // Relaxed: a snapshot.
        self.searching = sleep.searching.load(ordering: .relaxed)  // Relaxed: a snapshot.
    }
}
