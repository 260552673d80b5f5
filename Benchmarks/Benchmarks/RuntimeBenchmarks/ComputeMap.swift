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

/// CPU work the optimiser cannot shortcut: `rounds` steps of xorshift64*.
@inline(never)
func work(_ rounds: Int, seed: Int) -> Int {
    var x = UInt64(truncatingIfNeeded: seed) | 1
    for _ in 0..<rounds {
        x ^= x >> 12
        x ^= x << 25
        x ^= x >> 27
        x = x &* 0x2545_F491_4F6C_DD1D
    }
    return Int(truncatingIfNeeded: x >> 1)
}

/// The rounds of `work` that take 50 µs of CPU here, measured once at start-up (the best of 20 runs of 100 000
/// rounds). CPU work, not a clock: a transform that is descheduled must take longer, as real work would.
let roundsFor50us: Int = {
    var best = UInt64.max
    for attempt in 0..<20 {
        let start = DispatchTime.now().uptimeNanoseconds
        blackHole(work(100_000, seed: attempt))
        best = min(best, DispatchTime.now().uptimeNanoseconds - start)
    }
    return max(1, Int(50_000 * 100_000 / max(best, 1)))
}()

/// A compute pool of 2 for the heavy case; not pinned, so both compute threads can use both CPUs (with the async
/// thread: three threads on two CPUs, the case where the pools compete for CPUs).
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
        timeUnits: .microseconds,
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
            let rounds = roundsFor50us
            try await withTaskExecutorPreference(heavyRuntime.asyncExecutor) {
                benchmark.startMeasurement()
                var sum = 0
                for try await value in Numbers(count: 200).computeMap(maxConcurrency: maxConcurrency, {
                    work(rounds, seed: $0)
                }) { sum &+= value }
                benchmark.stopMeasurement()
                blackHole(sum)
            }
        }
    }
}
