import Benchmark
import Dispatch
import Loom
import P4Work

// S1-S3: the operations added for rayon users, each against the hand-written loop it replaces, on a
// `ComputePool(threads: 2)`.
// S1: `parallelUpdate` of 10 M elements with `f` (~220 ns, see MapReduce.swift) vs a sequential loop and
//     `DispatchQueue.concurrentPerform` over hand-made chunks.
// S2: a sum of 10 M `UInt64` through `chunks(ofCount:)` (each chunk summed by a plain, vectorised loop) and through
//     `minimumSplit` + `reduce`, vs the sequential `reduce`: memory-bound work where leaf size matters.
// S3: a 256-bucket histogram of 10 M values with `reduce(into:_:combine:)` (per element, and per chunk of 65 536 with a
//     plain loop over the accumulator's buffer inside) vs the sequential `reduce(into:)`.

func registerSurfaceBenchmarks() {
    let n = 10_000_000
    let pool = try! ComputePool(threads: 2, name: "bench-surf")
    let chunks = 2 * dispatchChunksPerCPU
    let seeds = (0..<n).map { UInt64(truncatingIfNeeded: $0) &* 0x9E37_79B9_7F4A_7C15 }

    Benchmark("S1 update 10M f(x) sequential loop (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            var values = seeds
            for i in values.indices { values[i] = f(Int(truncatingIfNeeded: values[i])) }
            blackHole(values)
        }
    }
    Benchmark("S1 update 10M f(x) Dispatch concurrentPerform, 16 chunks (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            var values = seeds
            values.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let base = buffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) {
                        base[i] = f(Int(truncatingIfNeeded: base[i]))
                    }
                }
            }
            blackHole(values)
        }
    }
    Benchmark("S1 update 10M f(x) parallelUpdate, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install { () -> [UInt64] in
                    var values = seeds
                    values.parallelUpdate { $0 = f(Int(truncatingIfNeeded: $0)) }
                    return values
                }
            )
        }
    }

    Benchmark("S2 sum 10M sequential reduce (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(seeds.reduce(0, &+)) }
    }
    Benchmark("S2 sum 10M chunks(ofCount: 65536) summed by a loop, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pool.install { seeds.parallel.chunks(ofCount: 65_536).map { $0.reduce(0, &+) }.reduce(0, &+) })
        }
    }
    Benchmark("S2 sum 10M minimumSplit(65536).reduce, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pool.install { seeds.parallel.minimumSplit(65_536).reduce(0, &+) })
        }
    }

    Benchmark("S3 histogram 10M sequential reduce(into:) (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                seeds.reduce(into: [Int](repeating: 0, count: 256)) { counts, x in counts[Int(x >> 56)] += 1 }
            )
        }
    }
    Benchmark("S3 histogram 10M chunks(ofCount: 65536).reduce(into:combine:), ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install {
                    seeds.parallel.chunks(ofCount: 65_536).reduce(into: [Int](repeating: 0, count: 256)) { counts, chunk in
                        counts.withUnsafeMutableBufferPointer { buckets in
                            for x in chunk { buckets[Int(x >> 56)] += 1 }
                        }
                    } combine: { counts, other in
                        for bucket in 0..<256 { counts[bucket] += other[bucket] }
                    }
                }
            )
        }
    }
    Benchmark("S3 histogram 10M reduce(into:combine:), ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install {
                    seeds.parallel.reduce(into: [Int](repeating: 0, count: 256)) { counts, x in
                        counts[Int(x >> 56)] += 1
                    } combine: { counts, other in
                        for bucket in 0..<256 { counts[bucket] += other[bucket] }
                    }
                }
            )
        }
    }
}

// S4-S6: the fused chains, chunked in-place updates and sequence batches, each against the code it replaces.
// S4: `map(f) → filter → map → sum` over 2 M elements (f ~220 ns), fused (`.parallel.lazy`) vs the eager chain (an array
//     per stage, a parallel pass each) vs the sequential lazy chain; and the same chain with cheap stages over 10 M
//     `UInt64` ("cheap chain"), where the eager chain's arrays cost the most.
// S5: `x = x * 3 + 1` over 10 M `UInt64` in place: `parallelUpdateChunks(ofCount: 65536)` (each chunk a plain loop)
//     vs the sequential loop vs `concurrentPerform` over hand-made chunks.
// S6: `map(f)` over a 2 M-element sequence that is not a collection (a `lazy.map` of an `UnfoldSequence`), through
//     `parallel(batchSize: 1024)` vs the sequential `map`.
func registerSurfaceBenchmarks2() {
    let pool = try! ComputePool(threads: 2, name: "bench-surf2")
    let chunks = 2 * dispatchChunksPerCPU
    let small = 2_000_000
    let n = 10_000_000
    let seeds = (0..<n).map { UInt64(truncatingIfNeeded: $0) &* 0x9E37_79B9_7F4A_7C15 }

    Benchmark("S4 chain 2M map(f).filter.map.sum sequential lazy (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole((0..<small).lazy.map { f($0) }.filter { $0 & 1 == 0 }.map { $0 >> 40 }.reduce(0, &+))
        }
    }
    Benchmark("S4 chain 2M map(f).filter.map.sum eager parallel (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install {
                    (0..<small).parallel.map { f($0) }.parallel.filter { $0 & 1 == 0 }.parallel.map { $0 >> 40 }
                        .parallel.reduce(0, &+)
                }
            )
        }
    }
    Benchmark("S4 chain 2M map(f).filter.map.sum fused .parallel.lazy, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install { (0..<small).parallel.lazy.map { f($0) }.filter { $0 & 1 == 0 }.map { $0 >> 40 }.sum() }
            )
        }
    }

    Benchmark("S4 cheap chain 10M map.filter.map.sum sequential lazy (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(seeds.lazy.map { $0 &* 3 }.filter { $0 & 1 == 0 }.map { $0 >> 40 }.reduce(0, &+))
        }
    }
    Benchmark("S4 cheap chain 10M map.filter.map.sum eager parallel (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install {
                    seeds.parallel.map { $0 &* 3 }.parallel.filter { $0 & 1 == 0 }.parallel.map { $0 >> 40 }
                        .parallel.reduce(0, &+)
                }
            )
        }
    }
    Benchmark("S4 cheap chain 10M map.filter.map.sum fused .parallel.lazy, ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pool.install { seeds.parallel.lazy.map { $0 &* 3 }.filter { $0 & 1 == 0 }.map { $0 >> 40 }.sum() })
        }
    }

    Benchmark("S5 update 10M x*3+1 sequential loop (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            var values = seeds
            for i in values.indices { values[i] = values[i] &* 3 &+ 1 }
            blackHole(values)
        }
    }
    Benchmark("S5 update 10M x*3+1 Dispatch concurrentPerform, 16 chunks (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            var values = seeds
            values.withUnsafeMutableBufferPointer { buffer in
                nonisolated(unsafe) let base = buffer.baseAddress!
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) { base[i] = base[i] &* 3 &+ 1 }
                }
            }
            blackHole(values)
        }
    }
    Benchmark("S5 update 10M x*3+1 parallelUpdateChunks(ofCount: 65536), ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(
                pool.install { () -> [UInt64] in
                    var values = seeds
                    values.parallelUpdateChunks(ofCount: 65_536) { span in
                        for i in span.indices { span[i] = span[i] &* 3 &+ 1 }
                    }
                    return values
                }
            )
        }
    }

    let numbers: @Sendable () -> LazySequence<UnfoldSequence<Int, (Int?, Bool)>> = {
        Swift.sequence(first: 0) { $0 + 1 < small ? $0 + 1 : nil }.lazy
    }
    Benchmark("S6 sequence 2M map(f) sequential (baseline)") { benchmark in
        for _ in benchmark.scaledIterations { blackHole(Array(numbers().map { f($0) })) }
    }
    Benchmark("S6 sequence 2M map(f) parallel(batchSize: 1024), ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(pool.install { numbers().parallel(batchSize: 1_024).map { f($0) } })
        }
    }
}
