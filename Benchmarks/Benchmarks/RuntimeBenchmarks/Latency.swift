import Benchmark
import Dispatch
import Foundation
import Loom

// P8: latency isolation. A tiny task is started every 1 ms for 2 s, from a thread of its own; its latency is the time from the request to
// the task running. Measured idle and while CPU-heavy jobs saturate the machine: with Loom the heavy jobs run on
// the compute pool and the pings with spawnAsync on the async pool; in the baseline both are plain `Task {}`s on
// the global executor. p50 and p99 are reported in microseconds (custom metrics).

let p50 = BenchmarkMetric.custom("ping p50 (us)", polarity: .prefersSmaller, useScalingFactor: false)
let p99 = BenchmarkMetric.custom("ping p99 (us)", polarity: .prefersSmaller, useScalingFactor: false)
let pingCount = BenchmarkMetric.custom("pings", polarity: .prefersLarger, useScalingFactor: false)

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Busy work for about `nanoseconds`.
@inline(never)
func burn(_ nanoseconds: UInt64) -> Int {
    let end = now() + nanoseconds
    var x = 1
    while now() < end {
        for _ in 0..<1000 { x = x &* 31 &+ 7 }
    }
    return x
}

/// Starts a ping every millisecond for `duration` and returns the latencies in microseconds, sorted.
/// `start(record)` must start a task that calls `record()` first thing.
///
/// The requests come from a thread of their own (as requests from the network would), not from a task: a task that
/// issues pings would itself wait for a thread of the executor under test, and under load would issue only a few.
func pings(
    for duration: UInt64,
    start: @escaping @Sendable (@escaping @Sendable () -> Void) -> Void
) async -> [Double] {
    let latencies = LatencyLog()
    let requests: Int = await withCheckedContinuation { continuation in
        let issuer = Thread {
            let end = now() + duration
            var requests = 0
            while now() < end {
                let issued = now()
                start { latencies.add(Double(now() - issued) / 1000) }
                requests += 1
                usleep(1000)
            }
            continuation.resume(returning: requests)
        }
        issuer.start()
    }
    while latencies.count < requests { await Task.yield() }
    return latencies.sorted
}

final class LatencyLog: @unchecked Sendable {
    private let lock = DispatchQueue(label: "latencies")
    private var values: [Double] = []
    func add(_ value: Double) { self.lock.sync { self.values.append(value) } }
    var count: Int { self.lock.sync { self.values.count } }
    var sorted: [Double] { self.lock.sync { self.values.sorted() } }
}

func percentile(_ sorted: [Double], _ p: Double) -> Int {
    guard !sorted.isEmpty else { return 0 }
    return Int(sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))].rounded())
}

/// A runtime like `defaultRuntime` with `share_async_cpus` on (created on first use).
let sharingRuntime: LoomRuntime = try! LoomBuilder().prefix("benchshare").shareAsyncCPUs(true).build()

/// P8 idle and under compute load on `runtime()`.
func registerPings(
    runtime: @escaping @Sendable () -> LoomRuntime,
    label: String,
    config: Benchmark.Configuration,
    duration: UInt64
) {
    Benchmark("P8 ping latency, idle (\(label))", configuration: config) { benchmark in
        let runtime = runtime()
        let sorted = await withTaskExecutorPreference(runtime.asyncExecutor) {
            await pings(for: duration) { record in runtime.spawnAsync { record() } }
        }
        benchmark.measurement(p50, percentile(sorted, 0.50))
        benchmark.measurement(p99, percentile(sorted, 0.99))
        benchmark.measurement(pingCount, sorted.count)
    }

    Benchmark("P8 ping latency under compute load (\(label))", configuration: config) { benchmark in
        let runtime = runtime()
        let sorted = await withTaskExecutorPreference(runtime.asyncExecutor) { () async -> [Double] in
            // Heavy jobs: enough 5 ms slices to keep every compute thread busy for the whole 2 s.
            let slices = Int(duration / 5_000_000) * max(1, runtime.configuration.computeThreads) + 8
            for _ in 0..<slices { runtime.computePool.spawn { blackHole(burn(5_000_000)) } }
            return await pings(for: duration) { record in runtime.spawnAsync { record() } }
        }
        benchmark.measurement(p50, percentile(sorted, 0.50))
        benchmark.measurement(p99, percentile(sorted, 0.99))
        benchmark.measurement(pingCount, sorted.count)
        runtime.computePool.install { () }  // queued slices may remain; let the pool drain before the next run
        while !runtime.isIdle { await Task.yield() }
    }
}

func registerLatencyBenchmarks() {
    let runtime = defaultRuntime
    let twoSeconds: UInt64 = 2_000_000_000
    let config = Benchmark.Configuration(
        metrics: [p50, p99, pingCount],
        warmupIterations: 0,
        scalingFactor: .one,
        maxDuration: .seconds(30),
        maxIterations: 3
    )

    registerPings(runtime: { defaultRuntime }, label: "Loom", config: config, duration: twoSeconds)
    // The same with share_async_cpus on: one more compute thread borrows the async CPU at idle priority.
    registerPings(
        runtime: { sharingRuntime },
        label: "Loom, sharing the async CPUs",
        config: config,
        duration: twoSeconds
    )

    Benchmark("P8 ping latency under load, everything on the global executor (baseline)", configuration: config) {
        benchmark in
        let heavy = (0..<4).map { _ in Task { blackHole(burn(twoSeconds + 200_000_000)) } }
        let sorted = await pings(for: twoSeconds) { record in Task { record() } }
        for task in heavy { await task.value }
        benchmark.measurement(p50, percentile(sorted, 0.50))
        benchmark.measurement(p99, percentile(sorted, 0.99))
        benchmark.measurement(pingCount, sorted.count)
    }

    Benchmark("P8 spike (a): ping latency under compute load, pings on a NIO event loop", configuration: config) {
        benchmark in
        let sorted = await withTaskExecutorPreference(nioExecutor) { () async -> [Double] in
            let slices = Int(twoSeconds / 5_000_000) * max(1, runtime.configuration.computeThreads) + 8
            for _ in 0..<slices { runtime.computePool.spawn { blackHole(burn(5_000_000)) } }
            return await pings(for: twoSeconds) { record in
                Task(executorPreference: nioExecutor) { record() }
            }
        }
        benchmark.measurement(p50, percentile(sorted, 0.50))
        benchmark.measurement(p99, percentile(sorted, 0.99))
        benchmark.measurement(pingCount, sorted.count)
    }
}
