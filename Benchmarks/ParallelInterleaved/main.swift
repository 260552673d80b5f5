// P4 interleaved (`Benchmarks/parallel-interleaved.sh`): `parallel.map` and `parallel.reduce` against the sequential
// loop and `DispatchQueue.concurrentPerform` over hand-made chunks, each measured once per round, the three sides
// back to back, so that every ratio compares measurements taken seconds apart. The benchmark package runs all
// iterations of one side before the next, and this machine's speed drifts by more than the differences measured.
//
//   ParallelInterleaved [ROUNDS]       default 7
//
// Four operations: P4's map and reduce; a map whose work is uneven (see `skewed`), where how the work is split
// matters more than what a split costs; and many short maps of trivial work, where it is the other way round.
//
// Prints, per operation, each side's median wall time, the median of the per-round ratios, and the CPU time the
// process used per run (so that a side that leaves a CPU idle at the end shows as wall time without CPU time).
import Dispatch
import Loom
import P4Work

#if canImport(Glibc)
import Glibc
#endif

/// Uneven work: the last 1/64 of the elements cost 16 × `f` each (~3.5 µs), the rest `f`. The expensive stretch is
/// shorter than one leaf of the eager split, so only a leaf that hands part of itself to an idle thread (lazy
/// splitting) keeps both CPUs busy to the end; Dispatch's 16 equal chunks leave one CPU idle for most of it.
@inline(never)
func skewed(_ x: Int) -> UInt64 {
    guard x >= n - n / 64 else { return f(x) }
    var h: UInt64 = 0
    for k in 0..<16 { h ^= f(x &+ k) }
    return h
}

let n = 10_000_000
let chunks = 16  // As in P4's Dispatch baselines: 8 per CPU.
let rounds = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 7
let pool = try ComputePool(threads: 2, name: "interleaved")
let factors = UInt64(1)...UInt64(n)

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    let user = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
    let system = Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    return user + system
}

struct Sample {
    var wall: Double
    var cpu: Double
}

@inline(never)
func measure(_ body: () -> UInt64) -> (Sample, UInt64) {
    let clock = ContinuousClock()
    let cpu = cpuSeconds()
    let start = clock.now
    let value = body()
    let elapsed = clock.now - start
    let wall = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    return (Sample(wall: wall, cpu: cpuSeconds() - cpu), value)
}

func sequentialMap() -> UInt64 { (0..<n).map { f($0) }.last! }

func dispatchMap() -> UInt64 {
    let result = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
        nonisolated(unsafe) let output = buffer.baseAddress!
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) { (output + i).initialize(to: f(i)) }
        }
        count = n
    }
    return result.last!
}

func loomMap() -> UInt64 { pool.install { (0..<n).parallel.map { f($0) } }.last! }

func sequentialSkewed() -> UInt64 { (0..<n).map { skewed($0) }.last! }

func dispatchSkewed() -> UInt64 {
    let result = [UInt64](unsafeUninitializedCapacity: n) { buffer, count in
        nonisolated(unsafe) let output = buffer.baseAddress!
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) { (output + i).initialize(to: skewed(i)) }
        }
        count = n
    }
    return result.last!
}

func loomSkewed() -> UInt64 { pool.install { (0..<n).parallel.map { skewed($0) } }.last! }

func sequentialReduce() -> UInt64 { factors.reduce(1, gfProduct) }

func dispatchReduce() -> UInt64 {
    let partials = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: chunks)
    defer { partials.deallocate() }
    nonisolated(unsafe) let output = partials.baseAddress!
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        var product: UInt64 = 1
        for i in (chunk * n / chunks)..<((chunk + 1) * n / chunks) { product = gfProduct(product, UInt64(i + 1)) }
        (output + chunk).initialize(to: product)
    }
    return partials.reduce(1, gfProduct)
}

func loomReduce() -> UInt64 { pool.install { factors.parallel.reduce(1, gfProduct) } }

/// Short operations, where a split costs as much as it can gain: 1 000 maps of 100 000 `Int`s with trivial work.
let shortInput = Array(0..<100_000)
let shortCalls = 1_000

func sequentialShort() -> UInt64 {
    var sink: UInt64 = 0
    for _ in 0..<shortCalls { sink &+= UInt64(truncatingIfNeeded: shortInput.map { $0 &* 3 }.last!) }
    return sink
}

func dispatchShort() -> UInt64 {
    var sink: UInt64 = 0
    let count = shortInput.count
    for _ in 0..<shortCalls {
        let result = [Int](unsafeUninitializedCapacity: count) { buffer, initialized in
            nonisolated(unsafe) let output = buffer.baseAddress!
            shortInput.withUnsafeBufferPointer { input in
                nonisolated(unsafe) let input = input
                DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                    for i in (chunk * count / chunks)..<((chunk + 1) * count / chunks) {
                        (output + i).initialize(to: input[i] &* 3)
                    }
                }
            }
            initialized = count
        }
        sink &+= UInt64(truncatingIfNeeded: result.last!)
    }
    return sink
}

func loomShort() -> UInt64 {
    pool.install {
        var sink: UInt64 = 0
        for _ in 0..<shortCalls { sink &+= UInt64(truncatingIfNeeded: shortInput.parallel.map { $0 &* 3 }.last!) }
        return sink
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

func format(_ seconds: Double) -> String {
    seconds >= 1 ? "\(Int((seconds * 1000).rounded())) ms" : "\(Double(Int(seconds * 10_000)) / 10) ms"
}

func ratio(_ value: Double) -> String { String(Double(Int((value * 1000).rounded())) / 1000) + "×" }

/// Runs the three sides of one operation `rounds` times, interleaved, and prints the comparison.
func compare(
    _ name: String,
    sequential: @escaping () -> UInt64,
    dispatch: @escaping () -> UInt64,
    loom: @escaping () -> UInt64
) {
    // One warm-up run of each (page faults of the first 80 MB result, thread start-up).
    let expected = sequential()
    precondition(dispatch() == expected && loom() == expected, "\(name): the three sides disagree")
    var samples: [String: [Sample]] = [:]
    var againstDispatch: [Double] = []
    var againstSequential: [Double] = []
    for _ in 0..<rounds {
        var round: [String: Sample] = [:]
        for (side, body) in [("sequential", sequential), ("concurrentPerform", dispatch), ("loom", loom)] {
            let (sample, value) = measure(body)
            precondition(value == expected, "\(name) \(side): wrong result")
            round[side] = sample
            samples[side, default: []].append(sample)
        }
        againstDispatch.append(round["concurrentPerform"]!.wall / round["loom"]!.wall)
        againstSequential.append(round["sequential"]!.wall / round["loom"]!.wall)
    }
    print("\(name), \(rounds) rounds interleaved:")
    for side in ["sequential", "concurrentPerform", "loom"] {
        let runs = samples[side]!
        print(
            "  \(side): wall \(format(median(runs.map(\.wall)))), CPU \(format(median(runs.map(\.cpu))))",
            "(walls: \(runs.map { format($0.wall) }.joined(separator: ", ")))"
        )
    }
    print(
        "  loom speed-up: \(ratio(median(againstSequential))) sequential,",
        "\(ratio(median(againstDispatch))) concurrentPerform (per-round ratios:",
        againstDispatch.map(ratio).joined(separator: " ") + ")"
    )
}

compare("P4 map 10M f(x)", sequential: sequentialMap, dispatch: dispatchMap, loom: loomMap)
compare("P4 reduce 10M gfProduct", sequential: sequentialReduce, dispatch: dispatchReduce, loom: loomReduce)
compare(
    "P4 map 10M, uneven (last 1/64 16x f)",
    sequential: sequentialSkewed,
    dispatch: dispatchSkewed,
    loom: loomSkewed
)
compare("1 000 maps of 100 000 Ints, $0 * 3", sequential: sequentialShort, dispatch: dispatchShort, loom: loomShort)
pool.close()
