import Benchmark
import Dispatch
import Loom

// P4: `(0..<10_000_000).parallel.map { f($0) }` with a few hundred ns of arithmetic per element, and
// `.parallel.reduce` with an associative operation of ~55 ns, on a `ComputePool(threads: 2)`; against the
// sequential `map`/`reduce` and `DispatchQueue.concurrentPerform` over hand-made chunks.
//
// The arithmetic is multiplication in GF(2^64) (carry-less, modulo x^64 + x^4 + x^3 + x + 1), bit by bit: a chain
// of 64 dependent shift/xor steps the compiler cannot vectorize or fold. Multiplication in a field is
// associative and commutative with identity 1, so it is also a fair `reduce` operation. `f` is four of them.
// Measured here (sequential baselines, AMD EPYC VM): one multiplication 54-75 ns, `f` 215-270 ns per element; the
// range is the machine's noise, not the code's.

/// a × b in GF(2^64).
@inline(__always)
func gfMultiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var a = a
    var b = b
    var product: UInt64 = 0
    for _ in 0..<64 {
        product ^= a & (0 &- (b & 1))
        a = (a << 1) ^ (0x1B & (0 &- (a >> 63)))
        b >>= 1
    }
    return product
}

/// The per-element work of the map benchmarks: four GF(2^64) multiplications (~220 ns).
@inline(never)
func f(_ x: Int) -> UInt64 {
    var h = UInt64(truncatingIfNeeded: x) | 1
    h = gfMultiply(h, 0x9E37_79B9_7F4A_7C15)
    h = gfMultiply(h, 0xC2B2_AE3D_27D4_EB4F)
    h = gfMultiply(h, 0x1656_67B1_9E37_79F9)
    h = gfMultiply(h, 0x27D4_EB2F_1656_67C5)
    return h
}

/// The reduce operation: one GF(2^64) multiplication (~55 ns).
@inline(never)
func gfProduct(_ a: UInt64, _ b: UInt64) -> UInt64 { gfMultiply(a, b) }

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
