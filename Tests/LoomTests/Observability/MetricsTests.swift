import CoreMetrics
import Dispatch
import MetricsTestKit
import Synchronization
import Testing

@testable import Loom
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Every series the runtime reports, as the README lists them.
let documentedPoolSeries = [
    "jobs_total", "steals_total", "steal_attempts_total", "shared_queue_pops_total", "parks_total", "wake_ups_total",
    "busy_seconds_total", "idle_seconds_total", "queue_depth", "shared_queue_depth", "threads", "sleeping_threads",
]

@Suite("Metrics", .timeLimit(.minutes(10)))
struct MetricsTests {
    private func runtime(_ prefix: String, _ metrics: TestMetrics, interval: Duration = .seconds(3600)) throws
        -> LoomRuntime
    {
        try LoomBuilder().prefix(prefix).asyncThreads(1).computeThreads(2).pinThreads(false)
            .metricsFactory(metrics).metricsInterval(interval).build()
    }

    @Test("a report moves every documented series by what the statistics say")
    func documentedSeries() throws {
        let metrics = TestMetrics()
        let runtime = try self.runtime("t-metrics", metrics)
        defer { runtime.close() }
        try runtime.blockOn {
            for index in 0..<40 { _ = await runtime.spawnCompute { index } }
            for try await _ in (0..<10).async.computeMap(on: runtime, { $0 }) {}
        }
        #expect(runtime.reportMetrics())
        let stats = runtime.statistics()
        for pool in ["async", "compute"] {
            let dimensions = [("runtime", "t-metrics"), ("pool", pool)]
            for series in documentedPoolSeries {
                let label = "loom_\(pool)_\(series)"
                let counters = metrics.counters(label: label, dimensions: dimensions)
                let recorders = metrics.recorders(label: label, dimensions: dimensions)
                #expect(counters.count + recorders.count == 1, "\(label) is reported once")
            }
            let jobs = metrics.counterTotal(label: "loom_\(pool)_jobs_total", dimensions: dimensions)
            let pooled = pool == "async" ? stats.asyncPool : stats.computePool
            // The report came before this snapshot; idle pools run nothing in between.
            #expect(jobs == Int64(pooled.jobsRun))
            let threads = try metrics.expectGauge("loom_\(pool)_threads", dimensions)
            #expect(threads.lastValue == Double(pooled.threads.count))
        }
        for kind in ["async", "compute"] {
            let gauge = try metrics.expectGauge("loom_tasks_in_flight", [("runtime", "t-metrics"), ("kind", kind)])
            #expect(gauge.lastValue == 0)
        }
        let trips = metrics.counterTotal(
            label: "loom_bridge_round_trips_total",
            dimensions: [("runtime", "t-metrics"), ("kind", "spawn_compute")]
        )
        #expect(trips == 40)
        let items = metrics.counterTotal(
            label: "loom_bridge_round_trips_total",
            dimensions: [("runtime", "t-metrics"), ("kind", "compute_map_item")]
        )
        #expect(items == 10)
        for quantile in ["0.5", "0.9", "0.99"] {
            let gauge = try metrics.expectGauge(
                "loom_bridge_latency_seconds",
                [("runtime", "t-metrics"), ("kind", "spawn_compute"), ("quantile", quantile)]
            )
            #expect((gauge.lastValue ?? 0) > 0)
        }
    }

    @Test("a second report adds only what happened since the first")
    func deltas() throws {
        let metrics = TestMetrics()
        let runtime = try self.runtime("t-metdelta", metrics)
        defer { runtime.close() }
        runtime.reportMetrics()
        let dimensions = [("runtime", "t-metdelta"), ("kind", "spawn_compute")]
        #expect(metrics.counterTotal(label: "loom_bridge_round_trips_total", dimensions: dimensions) == 0)
        runtime.blockOn {
            for index in 0..<7 { _ = await runtime.spawnCompute { index } }
        }
        runtime.reportMetrics()
        #expect(metrics.counterTotal(label: "loom_bridge_round_trips_total", dimensions: dimensions) == 7)
        runtime.reportMetrics()
        #expect(metrics.counterTotal(label: "loom_bridge_round_trips_total", dimensions: dimensions) == 7)
    }

    @Test("the reporter thread reports on its own every interval")
    func reporterThread() throws {
        let metrics = SignallingMetrics()
        let runtime = try LoomBuilder().prefix("t-metthread").asyncThreads(1).computeThreads(1).pinThreads(false)
            .metricsFactory(metrics).metricsInterval(.milliseconds(10)).build()
        defer { runtime.close() }
        #expect(runtime.configuration.metricsInterval == .milliseconds(10))
        metrics.waitForReports(3)  // Counters are incremented once per report; no sleeping here.
        #expect(metrics.test.counters(label: "loom_compute_jobs_total").count == 1)
    }

    @Test("without a factory, or with the interval off, nothing reports")
    func noReporter() throws {
        let off = try LoomBuilder().prefix("t-metoff").asyncThreads(1).computeThreads(1).pinThreads(false)
            .metricsFactory(TestMetrics()).metricsInterval(.zero).build()
        defer { off.close() }
        #expect(off.configuration.metricsInterval == nil)
        #expect(!off.reportMetrics())
        // No factory given and none bootstrapped (tests never bootstrap MetricsSystem).
        let none = try LoomRuntime.forTests("t-metnone", computeThreads: 1)
        defer { none.close() }
        #expect(!none.reportMetrics())
    }
}

/// A TestMetrics whose counters signal each increment, so a test can wait for the reporter thread's reports.
final class SignallingMetrics: MetricsFactory, @unchecked Sendable {
    let test = TestMetrics()
    private let increments = DispatchSemaphore(value: 0)

    /// Waits until the runtime's `loom_compute_jobs_total` counter has been reported `count` times.
    func waitForReports(_ count: Int) {
        for _ in 0..<count { self.increments.wait() }
    }

    private final class Handler: CounterHandler, @unchecked Sendable {
        let inner: any CounterHandler
        let signal: DispatchSemaphore?
        init(_ inner: any CounterHandler, signal: DispatchSemaphore?) {
            self.inner = inner
            self.signal = signal
        }
        func increment(by amount: Int64) {
            self.inner.increment(by: amount)
            self.signal?.signal()
        }
        func reset() { self.inner.reset() }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let signal = label == "loom_compute_jobs_total" ? self.increments : nil
        return Handler(self.test.makeCounter(label: label, dimensions: dimensions), signal: signal)
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        self.test.makeMeter(label: label, dimensions: dimensions)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        self.test.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        self.test.makeTimer(label: label, dimensions: dimensions)
    }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyMeter(_ handler: any MeterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}
