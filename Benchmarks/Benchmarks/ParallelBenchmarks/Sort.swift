import Benchmark
import Loom

// P5: `parallelSort()` of 10 M random `UInt64` on a `ComputePool(threads: 2)`, against `sort()`. Each iteration
// sorts a fresh copy of the same random array; the copy is made before the measurement starts.

func registerSortBenchmarks() {
    let n = 10_000_000
    let pool = try! ComputePool(threads: 2, name: "bench-sort")
    var generator = SplitMix64(seed: 0x5EED)
    let input = (0..<n).map { _ in generator.next() }

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

/// A fast seeded generator (SplitMix64, Steele et al. 2014): `SystemRandomNumberGenerator` makes one `getrandom`
/// system call per number, seconds for 10 M of them.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { self.state = seed }
    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
