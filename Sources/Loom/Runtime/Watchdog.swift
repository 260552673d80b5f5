import CLoomSystem
import LoomCompute
import LoomConfiguration
import LoomSystem
import Synchronization

/// Watches a runtime for stalls (``LoomBuilder/watchdog(_:)``): a thread of its own that looks at the runtime's
/// counters a few times per interval and reports once when work is waiting but no job has completed for the whole
/// interval.
///
/// It only reads what the pool threads write for themselves (their job counters and states, queue lengths), so it
/// costs the pools nothing. It holds the pools' parts it reads, not the runtime, so it never keeps a runtime alive.
final class Watchdog: @unchecked Sendable {
    // Sendable: `thread` is written once in `start` before the object is shared and read in `stop`; the stop word is
    // atomic.

    private let interval: Duration
    private let snapshot: @Sendable () -> LoomDiagnostics
    private let report: @Sendable (LoomDiagnostics) -> Void
    /// 0 while running, 1 once stopped; also the futex word the thread sleeps on between looks.
    private let stopWord = UnsafeMutablePointer<Atomic<UInt32>>.allocate(capacity: 1)
    private var thread: PinnedThread?

    private init(
        interval: Duration,
        snapshot: @escaping @Sendable () -> LoomDiagnostics,
        report: @escaping @Sendable (LoomDiagnostics) -> Void
    ) {
        self.interval = interval
        self.snapshot = snapshot
        self.report = report
        self.stopWord.initialize(to: Atomic(0))
    }

    deinit {
        self.stopWord.deinitialize(count: 1)
        self.stopWord.deallocate()
    }

    /// Starts a watchdog thread named `{prefix}-watchdog` (kernel name `{prefix}-wd`, unpinned).
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/systemError`` if the thread cannot be started.
    static func start(
        prefix: String,
        interval: Duration,
        snapshot: @escaping @Sendable () -> LoomDiagnostics,
        report: @escaping @Sendable (LoomDiagnostics) -> Void
    ) throws(LoomError) -> Watchdog {
        let watchdog = Watchdog(interval: interval, snapshot: snapshot, report: report)
        let info = ThreadNames.helper(prefix: prefix, pool: .async, name: "watchdog", shortName: "wd")
        watchdog.thread = try PinnedThread.start(info, stackSize: 1 << 20) { watchdog.run() }
        return watchdog
    }

    /// Stops the thread and waits for it (it exits within one look).
    func stop() {
        self.stopWord.pointee.store(1, ordering: .releasing)  // Release: pairs with the acquire in run().
        _ = UnsafeMutableRawPointer(self.stopWord).withMemoryRebound(to: UInt32.self, capacity: 1) {
            cloom_futex_wake($0, 1)
        }
        self.thread?.join()
    }

    private var isStopped: Bool { self.stopWord.pointee.load(ordering: .acquiring) == 1 }

    private func run() {
        let clock = ContinuousClock()
        let look = min(self.interval / 4, .seconds(1))
        let lookNanoseconds = max(1_000_000, Int64(look.inSeconds * 1e9))
        var lastJobs = self.snapshot().jobsRun
        var lastProgress = clock.now
        var reported = false
        while !self.isStopped {
            _ = UnsafeMutableRawPointer(self.stopWord).withMemoryRebound(to: UInt32.self, capacity: 1) {
                cloom_futex_wait($0, 0, lookNanoseconds)
            }
            if self.isStopped { return }
            let snapshot = self.snapshot()
            let now = clock.now
            if snapshot.jobsRun != lastJobs || !snapshot.hasPendingWork {
                lastJobs = snapshot.jobsRun
                lastProgress = now
                reported = false
                continue
            }
            let stalled = lastProgress.duration(to: now)
            if !reported && stalled >= self.interval {
                self.report(snapshot.stalled(for: stalled))
                reported = true
            }
        }
    }
}
