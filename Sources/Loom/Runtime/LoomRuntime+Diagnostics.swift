import CLoomSystem
import LoomCompute
import LoomConfiguration
import LoomSystem

extension LoomRuntime {
    /// A snapshot of every pool thread's state, the queues, the sleep protocols' counters and the tracked counts:
    /// the report the watchdog logs (``LoomBuilder/watchdog(_:)``), on demand.
    ///
    /// ```swift
    /// print(runtime.diagnostics())
    /// // Loom runtime 'myapp':
    /// // async pool: 0 queued (0 shared), 1 listed asleep, 0 searching
    /// //   myapp-async-0000 [myapp-async-000] parked, jobs run 1200, parks 31
    /// // compute pool: ...
    /// ```
    ///
    /// Taking it reads counters each thread keeps for itself; it never stops or wakes a thread.
    public func diagnostics() -> LoomDiagnostics {
        Self.diagnosticsSource(
            prefix: self.configuration.prefix,
            asyncPool: self.asyncPool,
            registry: self.computePool.registry,
            tracker: self.tracker
        )()
    }

    /// What `diagnostics()` reads, as a closure that holds the pools but not the runtime (for the watchdog).
    static func diagnosticsSource(
        prefix: String,
        asyncPool: AsyncPool,
        registry: Registry,
        tracker: TaskTracker
    ) -> @Sendable () -> LoomDiagnostics {
        {
            LoomDiagnostics(
                prefix: prefix,
                asyncPool: asyncPool.diagnostics(),
                computePool: registry.diagnostics(),
                asyncTasksInFlight: tracker.asyncInFlight,
                computeTasksInFlight: tracker.computeInFlight,
                isShutDown: tracker.isShutdown,
                stalledFor: nil
            )
        }
    }
}

extension LoomRuntime {
    /// The runtime's cumulative counters (``LoomStatistics``): per thread of both pools jobs run, steals, shared-queue
    /// pops, parks and wake-ups, busy and idle time; queue depths; tracked counts; the bridge's latency histograms.
    ///
    /// ```swift
    /// let stats = runtime.statistics()
    /// print(stats.computePool.jobsRun, stats.spawnComputeLatency.quantile(0.99) ?? .zero)
    /// ```
    ///
    /// Cheap to take (it reads what each thread keeps for itself; it never stops or wakes one), so a reporter may
    /// take it every second. What ``LoomConfiguration/metricsInterval`` reports to swift-metrics and what the console
    /// (``LoomConfiguration/console``) serves are this value.
    public func statistics() -> LoomStatistics {
        Self.statisticsSource(
            prefix: self.configuration.prefix,
            startedAt: self.startedAt,
            asyncPool: self.asyncPool,
            registry: self.computePool.registry,
            tracker: self.tracker
        )()
    }

    /// What `statistics()` reads, as a closure that holds the pools but not the runtime (for the metrics reporter and
    /// the console, which must not keep the runtime alive).
    static func statisticsSource(
        prefix: String,
        startedAt: UInt64,
        asyncPool: AsyncPool,
        registry: Registry,
        tracker: TaskTracker
    ) -> @Sendable () -> LoomStatistics {
        {
            let now = cloom_monotonic_ns()
            return LoomStatistics(
                prefix: prefix,
                uptimeNanoseconds: now &- startedAt,
                asyncPool: asyncPool.statistics(now: now),
                computePool: registry.statistics(now: now),
                asyncTasksInFlight: tracker.asyncInFlight,
                computeTasksInFlight: tracker.computeInFlight,
                spawnComputeCalls: asyncPool.bridgeCalls(.spawnCompute),
                computeMapItems: asyncPool.bridgeCalls(.computeMapItem),
                spawnComputeLatency: asyncPool.latencyHistogram(.spawnCompute),
                computeMapItemLatency: asyncPool.latencyHistogram(.computeMapItem)
            )
        }
    }
}

extension LoomRuntime {
    /// Reports to swift-metrics now, on the calling thread, as the reporter thread does every interval; `false` when
    /// the runtime does not report (no factory, or ``LoomConfiguration/metricsInterval`` off). For tests and for a
    /// last report before closing.
    @discardableResult
    package func reportMetrics() -> Bool {
        guard let reporter = self.metricsReporter.withLock({ $0?.reporter }) else { return false }
        reporter.report()
        return true
    }
}
