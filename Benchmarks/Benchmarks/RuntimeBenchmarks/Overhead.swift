import Benchmark
import CoreMetrics
import Foundation
import Loom
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// O1 and O4 (issue #12): what observability costs. P1 (`spawnCompute { 1 }` round trips from an async-pool task) and
// a P4-style `.parallel.map` (1 M elements of ~8 xorshift64* rounds, from outside, on a runtime's two compute threads)
// on four runtimes built for the benchmark alone (setup/teardown, so no other benchmark shares their helper
// threads): statistics off (the baseline), statistics on (the default; no metrics factory), on + a metrics factory
// reporting every 100 ms (100 times as often as the 10 s default), and on + a console client asking for a snapshot
// every 100 ms (10 times `loom top`'s rate).

enum Observation: String, CaseIterable {
    case off = "statistics off (baseline)"
    case on = "statistics on"
    case metrics = "statistics on + metrics factory, 100 ms reports"
    case console = "statistics on + console polled every 100 ms"
}

/// The runtime under test and, for `.console`, the client polling it.
nonisolated(unsafe) private var observed: (runtime: LoomRuntime, poller: ConsolePoller?)?

private func startObserved(_ observation: Observation, computeThreads: Int, pin: Bool) throws {
    var builder = LoomBuilder().prefix("obs").asyncThreads(1).computeThreads(computeThreads).pinThreads(pin)
    let path = "/tmp/loom-bench-\(getpid()).sock"
    switch observation {
    case .off: builder = builder.statistics(false)
    case .on: break
    case .metrics: builder = builder.metricsFactory(BenchmarkMetrics()).metricsInterval(.milliseconds(100))
    case .console: builder = builder.console(path: path)
    }
    let runtime = try builder.build()
    observed = (runtime, observation == .console ? ConsolePoller(path: path) : nil)
}

private func stopObserved() {
    observed?.poller?.stop()
    observed?.runtime.close()
    observed = nil
}

func registerOverheadBenchmarks() {
    for observation in Observation.allCases {
        Benchmark(
            "O1 spawnCompute { 1 } round trip, \(observation.rawValue)",
            closure: { benchmark in
                let runtime = observed!.runtime
                await withTaskExecutorPreference(runtime.asyncExecutor) {
                    benchmark.startMeasurement()
                    for _ in benchmark.scaledIterations { blackHole(await runtime.spawnCompute { 1 }) }
                    benchmark.stopMeasurement()
                }
            },
            setup: { try startObserved(observation, computeThreads: 1, pin: true) },
            teardown: { stopObserved() }
        )
    }
    let map = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal],
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(3)
    )
    for observation in Observation.allCases {
        Benchmark(
            "O4 parallel.map 1M xorshift, \(observation.rawValue)",
            configuration: map,
            closure: { benchmark in
                let pool = observed!.runtime.computePool
                for _ in benchmark.scaledIterations {
                    blackHole(pool.install { (0..<1_000_000).parallel.map { work(8, seed: $0) } })
                }
            },
            setup: { try startObserved(observation, computeThreads: 2, pin: false) },
            teardown: { stopObserved() }
        )
    }
}

/// A metrics factory that keeps values the way an exporter's registry would: atomics per series.
final class BenchmarkMetrics: MetricsFactory, Sendable {
    final class Handler: CounterHandler, RecorderHandler, TimerHandler, Sendable {
        let value = Atomic<Int64>(0)
        func increment(by amount: Int64) { self.value.add(amount, ordering: .relaxed) }
        func reset() { self.value.store(0, ordering: .relaxed) }
        func record(_ value: Int64) { self.value.store(value, ordering: .relaxed) }
        func record(_ value: Double) { self.value.store(Int64(value * 1e9), ordering: .relaxed) }
        func recordNanoseconds(_ duration: Int64) { self.value.store(duration, ordering: .relaxed) }
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler { Handler() }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler()
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { Handler() }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}
}

/// A console client on a thread of its own: `stats` every 100 ms, reading each answer (what `loom top` does every
/// second).
final class ConsolePoller: @unchecked Sendable {
    // Sendable: `thread` is set in init; the flag is atomic.
    private let stopped = Atomic<Bool>(false)
    private var thread: Thread?
    private let done = DispatchSemaphore(value: 0)

    init(path: String) {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { bytes in
            for (index, byte) in path.utf8.enumerated() { bytes[index] = byte }
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        precondition(connected == 0, "the benchmark could not connect to the console at \(path)")
        self.thread = Thread { [self] in
            var byte: UInt8 = 0
            while read(fd, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}  // the greeting
            while !self.stopped.load(ordering: .relaxed) {
                _ = "stats\n".withCString { send(fd, $0, 6, Int32(MSG_NOSIGNAL)) }
                while read(fd, &byte, 1) == 1 && byte != UInt8(ascii: "\n") {}
                usleep(100_000)  // Pacing, not synchronisation.
            }
            close(fd)
            self.done.signal()
        }
        self.thread?.start()
    }

    func stop() {
        self.stopped.store(true, ordering: .relaxed)
        self.done.wait()
    }
}
