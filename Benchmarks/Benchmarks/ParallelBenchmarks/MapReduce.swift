import Benchmark
import Dispatch
import Loom
import P4Work

// P4: `(0..<10_000_000).parallel.map { f($0) }` with a few hundred ns of arithmetic per element, and
// `.parallel.reduce` with an associative operation of ~55 ns, on a `ComputePool(threads: 2)`; against the
// sequential `map`/`reduce` and `DispatchQueue.concurrentPerform` over hand-made chunks.
//
// The arithmetic (`f`, `gfProduct`) is in `P4Work`, shared with `ParallelInterleaved`.

/// Chunks per CPU for the Dispatch baselines: a few per CPU, so that a CPU held up by another process for a while
/// does not leave the other one idle at the end (one chunk per CPU is 2-5 % slower here).
let dispatchChunksPerCPU = 8

func registerMapReduceBenchmarks() {
    let n = 10_000_000
    let pool = try! ComputePool(threads: 2, name: "bench-par")
    let cpus = 2
    let chunks = cpus * dispatchChunksPerCPU
    let factors = UInt64(1)...UInt64(n)

    Benchmark("P4 map 10M f(x) sequential (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole((0..<n).map { f($0) }) }
    }
    Benchmark("P4 map 10M f(x) Dispatch concurrentPerform, 16 chunks (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            let result = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
                nonisolated(unsafe) let output = buffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) { (output + i).initialize(to: f(i)) }
                }
                count = n
            }
            blackHole(result)
        }
    }
    Benchmark("P4 map 10M f(x) .parallel, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(pool.install { (0..<n).parallel.map { f($0) } }) }
    }

    Benchmark("P4 reduce 10M gfProduct sequential (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(factors.reduce(1, gfProduct)) }
    }
    Benchmark("P4 reduce 10M gfProduct Dispatch concurrentPerform, 16 chunks (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            let partials = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: chunks)
            nonisolated(unsafe) let output = partials.baseAddress!
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                var product: UInt64 = 1
                for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) {
                    product = gfProduct(product, UInt64(i + 1))
                }
                (output + chunk).initialize(to: product)
            }
            blackHole(partials.reduce(1, gfProduct))
            partials.deallocate()
        }
    }
    Benchmark("P4 reduce 10M gfProduct .parallel, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pool.install { factors.parallel.reduce(1, gfProduct) })
        }
    }
}
