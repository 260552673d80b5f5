import Benchmark
import Loom

// P1, P2, P6, P8 of BENCHMARKS.md, each beside its baselines, I1 (the await-able parallel operations), plus the async-pool design spike: the same
// scenarios with the tasks on a NIO event loop used as a TaskExecutor (design (a)).

/// The runtime P1, P2 and P8 use: LoomBuilder's defaults (on 2 CPUs: 1 async thread on CPU 0, 1 compute thread on
/// CPU 1, pinned).
let defaultRuntime: LoomRuntime = try! LoomBuilder().prefix("bench").build()

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(3)
    )
    registerRoundTripBenchmarks()
    registerSpawnAsyncBenchmarks()
    registerComputeMapBenchmarks()
    registerLatencyBenchmarks()
    registerAwaitedParallelBenchmarks()
    registerOverheadBenchmarks()
}
