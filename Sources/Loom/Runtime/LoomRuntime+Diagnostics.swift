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
