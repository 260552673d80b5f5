// One side of the P1 comparison in a fresh process (`Benchmarks/fresh-process.sh`): as a user first meets it, with
// no warm-up beyond the first batch. Prints the median time per round trip over 7 batches of 20 000.
//
//   FreshProcess loom        `await runtime.spawnCompute { 1 }` from a task on the async pool of a default runtime
//   FreshProcess dispatch    `withUnsafeContinuation` + `DispatchQueue.global().async`, awaited on the global executor
import Dispatch
import Loom

#if canImport(Glibc)
import Glibc
#endif

let batches = 7
let perBatch = 20_000

func dispatchHandOff() async -> Int {
    await withUnsafeContinuation { (continuation: UnsafeContinuation<Int, Never>) in
        DispatchQueue.global().async { continuation.resume(returning: 1) }
    }
}

func nanoseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1e9 + Double(duration.components.attoseconds) / 1e9
}

/// The per-round-trip time of each batch, in ns.
func measure(_ roundTrip: () async -> Int) async -> [Double] {
    let clock = ContinuousClock()
    var times: [Double] = []
    var sink = 0
    for _ in 0..<batches {
        let start = clock.now
        for _ in 0..<perBatch { sink &+= await roundTrip() }
        times.append(nanoseconds(clock.now - start) / Double(perBatch))
    }
    precondition(sink == batches * perBatch)
    return times
}

let side = CommandLine.arguments.dropFirst().first ?? ""
let times: [Double]
switch side {
case "loom":
    let runtime = try LoomBuilder().build()
    times = runtime.blockOn { await measure { await runtime.spawnCompute { 1 } } }
    runtime.close()
case "dispatch":
    let done = DispatchSemaphore(value: 0)
    let result = LockedTimes()
    Task.detached {
        result.set(await measure { await dispatchHandOff() })
        done.signal()
    }
    done.wait()
    times = result.get()
default:
    print("usage: FreshProcess loom|dispatch")
    exit(64)
}
let sorted = times.sorted()
print(
    side,
    Int(sorted[sorted.count / 2].rounded()),
    "ns median of \(batches) batches:",
    times.map { String(Int($0.rounded())) }.joined(separator: " ")
)

/// A result handed from a task to the main thread (the semaphore orders the write before the read).
final class LockedTimes: @unchecked Sendable {
    private var times: [Double] = []
    func set(_ times: [Double]) { self.times = times }
    func get() -> [Double] { self.times }
}
