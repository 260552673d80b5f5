import Benchmark
import Dispatch
import Loom

// P6: computeMap over a stream. Trivial transform, one element in flight (compare per element with P1); and
// 50 µs transforms with maxConcurrency 2 on a compute pool of 2 against maxConcurrency 1 (throughput).

/// An async sequence of 0..<count with no suspension, so the benchmark measures computeMap, not the source.
struct Numbers: AsyncSequence, Sendable {
    typealias Element = Int
    let count: Int

    struct AsyncIterator: AsyncIteratorProtocol {
        var next = 0
        let count: Int
        mutating func next() async -> Int? {
            guard self.next < self.count else { return nil }
            defer { self.next += 1 }
            return self.next
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: self.count) }
}

/// A compute pool of 2 for the heavy case; not pinned, so both compute threads can use both CPUs.
let heavyRuntime: LoomRuntime = try! LoomBuilder().prefix("bench6").asyncThreads(1).computeThreads(2)
    .pinThreads(false).build()

func registerComputeMapBenchmarks() {
    let runtime = defaultRuntime

    Benchmark("P6 computeMap trivial, 1 in flight, per element (Loom)") { benchmark in
        let count = benchmark.scaledIterations.count
        try await withTaskExecutorPreference(runtime.asyncExecutor) {
            benchmark.startMeasurement()
            var sum = 0
            for try await value in Numbers(count: count).computeMap({ $0 &+ 1 }) { sum &+= value }
            benchmark.stopMeasurement()
            blackHole(sum)
        }
    }

    let heavy = Benchmark.Configuration(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal],
        warmupIterations: 2,
        scalingFactor: .one,
        maxDuration: .seconds(4),
        maxIterations: 40
    )
    for maxConcurrency in [1, 2] {
        let label = maxConcurrency == 1 ? "(baseline)" : "(Loom)"
        Benchmark(
            "P6 computeMap 200 x 50 us, maxConcurrency \(maxConcurrency), compute pool of 2 \(label)",
            configuration: heavy
        ) { benchmark in
            try await withTaskExecutorPreference(heavyRuntime.asyncExecutor) {
                benchmark.startMeasurement()
                var sum = 0
                for try await value in Numbers(count: 200).computeMap(maxConcurrency: maxConcurrency, {
                    burn(50_000) &+ $0  // 50 µs of arithmetic, timed by the clock (see Latency.swift)
                }) { sum &+= value }
                benchmark.stopMeasurement()
                blackHole(sum)
            }
        }
    }
}
