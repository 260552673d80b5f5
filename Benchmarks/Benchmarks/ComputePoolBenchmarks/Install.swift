import Benchmark
import Dispatch
import Loom

// P7: `install { 1 }` from a thread outside the pool, against a hand-off to Dispatch and back
// (`DispatchQueue.global().async` + a semaphore), and Dispatch's own `sync` (which runs inline, for reference).

func registerInstallBenchmarks() {
    let pool = try! ComputePool(threads: 2, name: "bench-inst")
    let config = Benchmark.Configuration(metrics: [.wallClock, .cpuTotal, .mallocCountTotal], maxDuration: .seconds(3))

    Benchmark("P7 install { 1 } from outside", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(pool.install { 1 }) }
    }
    Benchmark("P7 Dispatch async + semaphore hand-off (baseline)", configuration: config) { benchmark in
        let semaphore = DispatchSemaphore(value: 0)
        for _ in benchmark.scaledIterations {
            nonisolated(unsafe) var value = 0
            DispatchQueue.global().async {
                value = 1
                semaphore.signal()
            }
            semaphore.wait()
            blackHole(value)
        }
    }
    Benchmark("P7 DispatchQueue.global().sync (inline, reference)", configuration: config) { benchmark in
        for _ in benchmark.scaledIterations { blackHole(DispatchQueue.global().sync { 1 }) }
    }
}
