import CoreMetrics
import LoomCompute
import LoomConfiguration
import LoomSystem

/// Reports a runtime's ``LoomStatistics`` to swift-metrics (``LoomConfiguration/metricsInterval``): every interval
/// it takes a snapshot and moves each `loom_` series by what changed since the last one. It runs on a helper thread
/// (`{prefix}-metrics`), so the pools' hot paths never call into swift-metrics.
///
/// The series (the README lists them with their meaning): per pool, with dimensions `runtime` (the prefix) and
/// `pool` (`async` or `compute`), `loom_{pool}_jobs_total`, `_steals_total`, `_steal_attempts_total`,
/// `_shared_queue_pops_total`, `_parks_total`, `_wake_ups_total` (counters), `_busy_seconds_total`,
/// `_idle_seconds_total` (floating-point counters), `_queue_depth`, `_shared_queue_depth`, `_threads`,
/// `_sleeping_threads` (gauges); per runtime, `loom_tasks_in_flight` (gauge, dimension `kind`: `async` or
/// `compute`), `loom_bridge_round_trips_total` (counter) and `loom_bridge_latency_seconds` (gauge, the quantile
/// of the calls timed over the last interval, one in 8; dimension `quantile`: `0.5`, `0.9`, `0.99`), both with
/// dimension `kind`:
/// `spawn_compute` or `compute_map_item`.
final class MetricsReporter: @unchecked Sendable {
    // Sendable: `report()` runs under `lock`; everything else is immutable.

    private struct PoolSeries {
        let jobs, steals, stealAttempts, sharedQueuePops, parks, wakeUps: Counter
        let busySeconds, idleSeconds: FloatingPointCounter
        let queueDepth, sharedQueueDepth, threads, sleepingThreads: Gauge

        init(runtime: String, pool: LoomThreadInfo.Pool, factory: any MetricsFactory) {
            let dimensions = [("runtime", runtime), ("pool", pool.rawValue)]
            func counter(_ name: String) -> Counter {
                Counter(label: "loom_\(pool)_\(name)", dimensions: dimensions, factory: factory)
            }
            func gauge(_ name: String) -> Gauge {
                Gauge(label: "loom_\(pool)_\(name)", dimensions: dimensions, factory: factory)
            }
            func seconds(_ name: String) -> FloatingPointCounter {
                FloatingPointCounter(label: "loom_\(pool)_\(name)", dimensions: dimensions, factory: factory)
            }
            self.jobs = counter("jobs_total")
            self.steals = counter("steals_total")
            self.stealAttempts = counter("steal_attempts_total")
            self.sharedQueuePops = counter("shared_queue_pops_total")
            self.parks = counter("parks_total")
            self.wakeUps = counter("wake_ups_total")
            self.busySeconds = seconds("busy_seconds_total")
            self.idleSeconds = seconds("idle_seconds_total")
            self.queueDepth = gauge("queue_depth")
            self.sharedQueueDepth = gauge("shared_queue_depth")
            self.threads = gauge("threads")
            self.sleepingThreads = gauge("sleeping_threads")
        }

        func report(_ now: LoomStatistics.PoolStatistics, since before: LoomStatistics.PoolStatistics?) {
            func delta(_ value: (LoomStatistics.PoolStatistics) -> UInt64) -> Int64 {
                let current = value(now)
                let previous = before.map(value) ?? 0
                return Int64(clamping: current >= previous ? current - previous : 0)
            }
            func seconds(_ value: (LoomStatistics.ThreadStatistics) -> UInt64?) -> Double {
                let current = now.threads.reduce(UInt64(0)) { $0 &+ (value($1) ?? 0) }
                let previous = before?.threads.reduce(UInt64(0)) { $0 &+ (value($1) ?? 0) } ?? 0
                return current >= previous ? Double(current - previous) / 1e9 : 0
            }
            self.jobs.increment(by: delta(\.jobsRun))
            self.steals.increment(by: delta(\.steals))
            self.stealAttempts.increment(by: delta(\.stealAttempts))
            self.sharedQueuePops.increment(by: delta(\.sharedQueuePops))
            self.parks.increment(by: delta(\.parks))
            self.wakeUps.increment(by: delta { $0.threads.reduce(0) { $0 &+ $1.wakeUps } })
            self.busySeconds.increment(by: seconds(\.busyNanoseconds))
            self.idleSeconds.increment(by: seconds(\.idleNanoseconds))
            self.queueDepth.record(now.queueDepth)
            self.sharedQueueDepth.record(now.sharedQueueDepth)
            self.threads.record(now.threads.count)
            self.sleepingThreads.record(now.sleepers)
        }
    }

    private struct BridgeSeries {
        let roundTrips: Counter
        let quantiles: [(Double, Gauge)]

        init(runtime: String, kind: String, factory: any MetricsFactory) {
            self.roundTrips = Counter(
                label: "loom_bridge_round_trips_total",
                dimensions: [("runtime", runtime), ("kind", kind)],
                factory: factory
            )
            self.quantiles = [(0.5, "0.5"), (0.9, "0.9"), (0.99, "0.99")].map { quantile, name in
                (
                    quantile,
                    Gauge(
                        label: "loom_bridge_latency_seconds",
                        dimensions: [("runtime", runtime), ("kind", kind), ("quantile", name)],
                        factory: factory
                    )
                )
            }
        }

        func report(
            calls: UInt64,
            since callsBefore: UInt64?,
            _ now: LoomStatistics.LatencyHistogram,
            since before: LoomStatistics.LatencyHistogram?
        ) {
            let previous = callsBefore ?? 0
            self.roundTrips.increment(by: Int64(clamping: calls >= previous ? calls - previous : 0))
            let window = before.map { now.subtracting($0) } ?? now
            guard window.count > 0 else { return }
            for (quantile, gauge) in self.quantiles {
                if let value = window.quantile(quantile) { gauge.record(value.inSeconds) }
            }
        }
    }

    private let snapshot: @Sendable () -> LoomStatistics
    private let asyncSeries: PoolSeries
    private let computeSeries: PoolSeries
    private let asyncTasks: Gauge
    private let computeTasks: Gauge
    private let spawnCompute: BridgeSeries
    private let computeMapItem: BridgeSeries
    /// The snapshot of the last report.
    private let last = LockedValue<LoomStatistics?>(nil)

    init(prefix: String, factory: any MetricsFactory, snapshot: @escaping @Sendable () -> LoomStatistics) {
        self.snapshot = snapshot
        self.asyncSeries = PoolSeries(runtime: prefix, pool: .async, factory: factory)
        self.computeSeries = PoolSeries(runtime: prefix, pool: .compute, factory: factory)
        self.asyncTasks = Gauge(
            label: "loom_tasks_in_flight",
            dimensions: [("runtime", prefix), ("kind", "async")],
            factory: factory
        )
        self.computeTasks = Gauge(
            label: "loom_tasks_in_flight",
            dimensions: [("runtime", prefix), ("kind", "compute")],
            factory: factory
        )
        self.spawnCompute = BridgeSeries(runtime: prefix, kind: "spawn_compute", factory: factory)
        self.computeMapItem = BridgeSeries(runtime: prefix, kind: "compute_map_item", factory: factory)
    }

    /// The factory a runtime reports to: `configured` (``LoomBuilder/metricsFactory(_:)``) if given, else the one the
    /// application bootstrapped, or `nil` when it bootstrapped none (reporting to the no-op factory is wasted work).
    static func factory(configured: (any MetricsFactory)?) -> (any MetricsFactory)? {
        if let configured { return configured }
        let global = MetricsSystem.factory
        return global is NOOPMetricsHandler ? nil : global
    }

    /// Takes a snapshot and reports what changed since the last report (the first reports everything since the
    /// runtime started).
    func report() {
        self.last.withLock { last in
            let now = self.snapshot()
            self.asyncSeries.report(now.asyncPool, since: last?.asyncPool)
            self.computeSeries.report(now.computePool, since: last?.computePool)
            self.asyncTasks.record(now.asyncTasksInFlight)
            self.computeTasks.record(now.computeTasksInFlight)
            self.spawnCompute.report(
                calls: now.spawnComputeCalls,
                since: last?.spawnComputeCalls,
                now.spawnComputeLatency,
                since: last?.spawnComputeLatency
            )
            self.computeMapItem.report(
                calls: now.computeMapItems,
                since: last?.computeMapItems,
                now.computeMapItemLatency,
                since: last?.computeMapItemLatency
            )
            last = now
        }
    }
}
