import Benchmark
import Dispatch
import Loom

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 10,
        maxDuration: .seconds(3)
    )
    registerFibBenchmarks()
    registerInstallBenchmarks()
}
