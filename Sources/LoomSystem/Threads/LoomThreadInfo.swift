/// One thread Loom starts: its pool, index, names and CPUs.
///
/// `runtime.threads` and ``LoomConfiguration/threads`` list one per thread, async threads first. The ``name`` is
/// the full name (`loom-compute-0003`); the ``kernelName`` is what Linux shows in `top`, `ps -L` and
/// `/proc/<pid>/task/<tid>/comm`, at most 15 bytes:
///
/// - if every full name of a pool fits in 15 bytes, the kernel name is the full name (`loom-async-0000`);
/// - otherwise the whole pool uses `{prefix}-{letter}{index}` with letter `a` (async), `c` (compute) or `n`
///   (I/O event loops), the index unpadded, and the prefix cut to `15 - 2 - digits(count - 1)` bytes at a
///   character boundary, without trailing `-`, `_` or `.` (`loom-c0` ... `loom-c5`, `myapp-a0`).
public struct LoomThreadInfo: Sendable, Hashable, CustomStringConvertible {
    /// The most threads one pool may have. Far above any machine's CPU count, and low enough that a typo (an extra
    /// digit, a bit mask given as a count) fails at once instead of starting a million threads.
    package static let maximumThreadsPerPool = 4096

    /// The pool a thread belongs to.
    public enum Pool: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
        /// The async pool: Swift concurrency jobs and async I/O.
        case async
        /// The compute pool: CPU-bound work.
        case compute
        /// SwiftNIO event loops beside the async pool, on its CPUs.
        case io
        /// The blocking pool (`spawnBlocking`), on the async pool's CPUs.
        case blocking

        /// `async`, `compute`, `io` or `blocking`.
        public var description: String { self.rawValue }
    }

    /// How the kernel schedules a thread against others on its CPUs.
    public enum Priority: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
        /// The normal policy at the process's nice value: every pool thread unless it borrows CPUs.
        case normal
        /// An idle priority: on Linux `SCHED_IDLE`, so the thread gets what normal threads leave (a fraction of a
        /// percent of a CPU they keep busy), never preempts one when it wakes, and is preempted at once by a normal
        /// thread that wakes on its CPU (see ``LoomConfiguration/shareAsyncCPUs``). The compute threads that borrow
        /// the async pool's CPUs run so.
        case idle

        /// `normal` or `idle`.
        public var description: String { self.rawValue }
    }

    /// The pool the thread belongs to.
    public let pool: Pool
    /// The thread's index in its pool, from 0.
    public let index: Int
    /// The full name: `{prefix}-async-NNNN`, `{prefix}-compute-NNNN` or `{prefix}-io-NNNN`.
    public let name: String
    /// The name Linux shows (at most 15 bytes); see the rule above.
    public let kernelName: String
    /// The CPUs the thread is pinned to; empty when pinning is off.
    public let cpus: CPUSet
    /// The thread's scheduling priority: ``Priority/idle`` for a compute thread that borrows the async CPUs,
    /// otherwise ``Priority/normal``.
    public let priority: Priority

    package init(
        pool: Pool,
        index: Int,
        name: String,
        kernelName: String,
        cpus: CPUSet,
        priority: Priority = .normal
    ) {
        self.pool = pool
        self.index = index
        self.name = name
        self.kernelName = kernelName
        self.cpus = cpus
        self.priority = priority
    }

    /// The same thread, unpinned (its pin was refused).
    package var unpinned: LoomThreadInfo {
        self.with(cpus: CPUSet(), priority: self.priority)
    }

    /// The same thread with other CPUs and priority.
    package func with(cpus: CPUSet, priority: Priority) -> LoomThreadInfo {
        LoomThreadInfo(
            pool: self.pool,
            index: self.index,
            name: self.name,
            kernelName: self.kernelName,
            cpus: cpus,
            priority: priority
        )
    }

    /// `loom-compute-0003 (kernel name loom-c3) on CPU 4`, `... on CPUs 1-3`, or `... unpinned`, followed by
    /// `, idle priority` for a thread that borrows CPUs.
    public var description: String {
        let placement =
            switch self.cpus.count {
            case 0: "unpinned"
            case 1: "on CPU \(self.cpus)"
            default: "on CPUs \(self.cpus)"
            }
        let priority = self.priority == .idle ? ", idle priority" : ""
        return "\(self.name) (kernel name \(self.kernelName)) \(placement)\(priority)"
    }
}
