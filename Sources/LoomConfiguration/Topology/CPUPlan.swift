/// Which thread runs on which CPU: a pure function of the configuration, the usable CPUs and the topology.
///
/// The rules (the public contract, "Threads, names, pinning"):
///
/// - The async pool takes the first `asyncThreads` usable CPUs (ascending), the compute pool the rest. With two
///   or more CPUs each pool keeps at least one CPU of its own, so the async share is capped at `count - 1`.
/// - A pool with no more threads than CPUs pins thread *i* to the *i*-th CPU of its share. A pool with more
///   threads than CPUs pins every thread to the pool's whole share (a mask), and one warning says so.
/// - With a single usable CPU both pools share it (one warning).
/// - With pinning off the shares are computed the same way, for reporting, but each thread's CPUs are empty.
/// - With `shareAsyncCPUs` and two or more CPUs, compute threads beyond the compute share's CPU count *borrow* the
///   async CPUs, one borrower per async CPU at most: a borrower runs at the idle priority
///   (``LoomThreadInfo/Priority/idle``) on the async and compute CPUs together (a mask, so that the kernel can move
///   it to whichever is idle), and is the last of the compute threads. The rest are placed by the rules above on
///   the compute share.
///
/// The pools do not decide placement: they start one ``PinnedThread`` per ``LoomThreadInfo`` in ``threads``.
import LoomSystem

package struct CPUPlan: Sendable, Equatable {
    /// The CPUs the async threads may run on (the union of their placements).
    package var asyncCPUs: CPUSet
    /// The compute pool's own CPUs (the union of its normal-priority threads' placements).
    package var computeCPUs: CPUSet
    /// The async CPUs the compute pool's idle-priority threads borrow; empty unless async CPUs are shared.
    package var borrowedCPUs: CPUSet
    /// Every thread, async threads first, then compute threads, each in index order.
    package var threads: [LoomThreadInfo]
    /// Advice for the user: oversubscription, a single CPU, SMT siblings shared between the pools.
    package var warnings: [String]

    package init(
        asyncCPUs: CPUSet,
        computeCPUs: CPUSet,
        borrowedCPUs: CPUSet = CPUSet(),
        threads: [LoomThreadInfo],
        warnings: [String]
    ) {
        self.asyncCPUs = asyncCPUs
        self.computeCPUs = computeCPUs
        self.borrowedCPUs = borrowedCPUs
        self.threads = threads
        self.warnings = warnings
    }

    /// Plans `asyncThreads` + `computeThreads` threads on `cpus`.
    ///
    /// - Parameters:
    ///   - prefix: the thread-name prefix.
    ///   - asyncThreads: the number of async threads.
    ///   - computeThreads: the number of compute threads.
    ///   - pinThreads: whether the threads are pinned; when `false` every thread's ``LoomThreadInfo/cpus`` is empty.
    ///   - cpus: the usable CPUs (the cpuset or the allowed CPUs, narrowed to a GPU's local CPUs).
    ///   - topology: the machine's topology, used only for warnings.
    ///   - shareAsyncCPUs: whether compute threads beyond the compute CPUs borrow the async CPUs at idle priority.
    /// - Returns: the plan; it never fails (more threads than CPUs is a warning, not an error).
    package static func make(
        prefix: String,
        asyncThreads: Int,
        computeThreads: Int,
        pinThreads: Bool,
        cpus: CPUSet,
        topology: Topology,
        shareAsyncCPUs: Bool = false
    ) -> CPUPlan {
        let asyncThreads = max(0, asyncThreads)
        let computeThreads = max(0, computeThreads)
        let list = cpus.sorted
        var warnings: [String] = []

        let asyncShare: [Int]
        let computeShare: [Int]
        switch list.count {
        case 0:
            asyncShare = []
            computeShare = []
            warnings.append("No CPU is usable, so no thread is pinned.")
        case 1:
            asyncShare = list
            computeShare = list
            warnings.append(
                "Only one CPU (\(list[0])) is usable: the \(asyncThreads) async and \(computeThreads) compute "
                    + "threads all share it."
            )
        default:
            let asyncCount =
                computeThreads == 0 ? min(asyncThreads, list.count) : min(asyncThreads, list.count - 1)
            asyncShare = Array(list.prefix(asyncCount))
            computeShare = Array(list.dropFirst(asyncCount))
        }

        // Borrowers: the compute threads the compute share has no CPU for, up to one per async CPU.
        let borrowers =
            shareAsyncCPUs && list.count >= 2
            ? min(asyncShare.count, max(0, computeThreads - computeShare.count)) : 0
        let ownThreads = computeThreads - borrowers
        let asyncPlacement = Self.placement(threads: asyncThreads, share: asyncShare)
        let ownPlacement = Self.placement(threads: ownThreads, share: computeShare)
        let borrowerMask = CPUSet(asyncShare).union(CPUSet(computeShare))
        let computePlacement = ownPlacement + Array(repeating: borrowerMask, count: borrowers)
        let asyncCPUs = asyncPlacement.reduce(CPUSet()) { $0.union($1) }
        let computeCPUs = ownPlacement.reduce(CPUSet()) { $0.union($1) }
        let borrowedCPUs = borrowers > 0 ? CPUSet(asyncShare) : CPUSet()

        if shareAsyncCPUs {
            if list.count < 2 {
                warnings.append(
                    "share_async_cpus is on, but with \(list.count) usable CPU there are no async CPUs of their own "
                        + "to borrow: it changes nothing."
                )
            } else if borrowers == 0 {
                warnings.append(
                    "share_async_cpus is on, but "
                        + (computeThreads == 1
                            ? "the 1 compute thread fits" : "the \(computeThreads) compute threads fit")
                        + " on the \(computeShare.count) compute \(computeShare.count == 1 ? "CPU" : "CPUs"), so none borrows "
                        + "the async CPUs; leave compute_threads unset, or raise it to "
                        + "\(computeShare.count + asyncShare.count), for one borrower per async CPU."
                )
            }
        }

        if list.count >= 2 {
            var crowded: [String] = []
            if asyncThreads > asyncShare.count {
                crowded.append("the \(asyncThreads) async threads share \(Self.cpuWords(asyncCPUs))")
            }
            if ownThreads > computeShare.count {
                crowded.append("the \(ownThreads) compute threads share \(Self.cpuWords(computeCPUs))")
            }
            if !crowded.isEmpty {
                let borrowing = borrowers > 0 ? " (\(borrowers) more borrowing the async CPUs)" : ""
                warnings.append(
                    "More threads than CPUs (\(asyncThreads) async + \(computeThreads) compute\(borrowing) on "
                        + "\(list.count) usable CPUs, \(cpus)): " + crowded.joined(separator: " and ") + "."
                )
            }
            if pinThreads, let advice = Self.siblingWarning(asyncCPUs, computeCPUs, topology) {
                warnings.append(advice)
            }
        }

        var threads: [LoomThreadInfo] = []
        for (pool, placement) in [(LoomThreadInfo.Pool.async, asyncPlacement), (.compute, computePlacement)] {
            threads += ThreadNames.threads(
                prefix: prefix,
                pool: pool,
                cpus: placement.map { pinThreads ? $0 : CPUSet() }
            ).map { info in
                info.pool == .compute && info.index >= ownThreads
                    ? info.with(cpus: info.cpus, priority: .idle) : info
            }
        }
        return CPUPlan(
            asyncCPUs: asyncCPUs,
            computeCPUs: computeCPUs,
            borrowedCPUs: borrowedCPUs,
            threads: threads,
            warnings: warnings
        )
    }

    /// One CPU per thread while there are enough, else the whole share for every thread.
    private static func placement(threads: Int, share: [Int]) -> [CPUSet] {
        guard !share.isEmpty else { return Array(repeating: CPUSet(), count: threads) }
        if threads <= share.count { return share.prefix(threads).map { CPUSet([$0]) } }
        return Array(repeating: CPUSet(share), count: threads)
    }

    /// `CPU 3` or `CPUs 1-3`.
    private static func cpuWords(_ cpus: CPUSet) -> String {
        cpus.count == 1 ? "CPU \(cpus)" : "CPUs \(cpus)"
    }

    /// A warning when an async CPU and a compute CPU are hardware threads of one core.
    private static func siblingWarning(_ asyncCPUs: CPUSet, _ computeCPUs: CPUSet, _ topology: Topology) -> String? {
        var asyncShared = CPUSet()
        var computeShared = CPUSet()
        for cpu in asyncCPUs {
            let overlap = topology.coreCPUs(of: cpu).subtracting([cpu]).intersection(computeCPUs)
            guard !overlap.isEmpty else { continue }
            asyncShared.insert(cpu)
            computeShared = computeShared.union(overlap)
        }
        guard !asyncShared.isEmpty else { return nil }
        return "Async \(Self.cpuWords(asyncShared)) and compute \(Self.cpuWords(computeShared)) are hardware "
            + "threads of the same cores (SMT siblings), so compute work slows the async threads; a cpuset that "
            + "leaves out the siblings of the async CPUs avoids it."
    }
}
