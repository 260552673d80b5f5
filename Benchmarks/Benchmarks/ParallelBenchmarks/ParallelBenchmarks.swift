import Benchmark

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 1,
        maxDuration: .seconds(20),
        maxIterations: 7
    )
    registerMapReduceBenchmarks()
    registerSortBenchmarks()
    registerSurfaceBenchmarks()
    registerSurfaceBenchmarks2()
}
