import Benchmark
import Loom

// P5: `parallelSort()` of 10 M random `UInt64` on a `ComputePool(threads: 2)`, against `sort()`. Each iteration
// sorts a fresh copy of the same random array; the copy is made before the measurement starts.

func registerSortBenchmarks() {
    let n = 10_000_000
    let pool = try! ComputePool(threads: 2, name: "bench-sort")
    var generator = SystemRandomNumberGenerator()
    let input = (0..<n).map { _ in UInt64.random(in: .min ... .max, using: &generator) }

    /// A unique copy of `input`, so that sorting it does not copy on write inside the measurement.
    func freshCopy() -> [UInt64] {
        var copy = input
        copy.withUnsafeMutableBufferPointer { _ in }
        return copy
    }

    Benchmark("P5 sort 10M random UInt64 sort() (baseline)") { benchmark in
        for _ in benchmark.scaledIterations {
            var values = freshCopy()
            benchmark.startMeasurement()
            values.sort()
            benchmark.stopMeasurement()
            blackHole(values)
        }
    }
    Benchmark("P5 sort 10M random UInt64 parallelSort(), ComputePool(threads: 2)") { benchmark in
        for _ in benchmark.scaledIterations {
            var values = freshCopy()
            benchmark.startMeasurement()
            pool.install { values.parallelSort() }
            benchmark.stopMeasurement()
            blackHole(values)
        }
    }
}
