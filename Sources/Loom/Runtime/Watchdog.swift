import LoomCompute
import LoomConfiguration
import LoomSystem

/// Watches a runtime for stalls (``LoomBuilder/watchdog(_:)``): a helper thread (`{prefix}-watchdog`) that looks at
/// the runtime's counters a few times per interval and reports once when work is waiting but no job has completed for
/// the whole interval.
///
/// It only reads what the pool threads write for themselves (their job counters and states, queue lengths), so it
/// costs the pools nothing. It holds the pools' parts it reads, not the runtime, so it never keeps a runtime alive.
enum Watchdog {
    /// Starts the watchdog's thread (kernel name `{prefix}-wd`, unpinned).
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/systemError`` if the thread cannot be started.
    static func start(
        prefix: String,
        interval: Duration,
        snapshot: @escaping @Sendable () -> LoomDiagnostics,
        report: @escaping @Sendable (LoomDiagnostics) -> Void
    ) throws(LoomError) -> HelperLoop {
        let clock = ContinuousClock()
        var lastJobs = snapshot().jobsRun
        var lastProgress = clock.now
        var reported = false
        return try HelperLoop.start(
            prefix: prefix,
            name: "watchdog",
            shortName: "wd",
            period: min(interval / 4, .seconds(1))
        ) {
            let current = snapshot()
            let now = clock.now
            if current.jobsRun != lastJobs || !current.hasPendingWork {
                lastJobs = current.jobsRun
                lastProgress = now
                reported = false
                return
            }
            let stalled = lastProgress.duration(to: now)
            if !reported && stalled >= interval {
                report(current.stalled(for: stalled))
                reported = true
            }
        }
    }
}
