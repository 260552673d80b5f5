// LoomSoak: many rounds of every entry point at once, on fresh runtimes of random shapes, with every result checked
// and a watchdog. A round that makes no progress for `--stall` seconds prints the runtime's diagnostics (and, when gdb
// is installed, every thread's backtrace) and exits 1; a wrong result exits 2.
//
//   swift build -c release --product LoomSoak && .build/release/LoomSoak --seconds 300
//   .build/release/LoomSoak --seconds 60 --shape 1,3,pin      # one shape: async threads, compute threads, pin/nopin
//   .build/release/LoomSoak --seconds 60 --shape 1,3,pin,share  # the same with share_async_cpus on
//   .build/release/LoomSoak --seconds 60 --shape 1,3,pin,sparse # a random pause before each step (see `gap`)
//   scripts/soak.sh --chaos 120                               # a -DLOOM_CHAOS build: yields inside the protocols
import Foundation
import Logging
import Loom
import Synchronization

// MARK: Options

struct Options {
    var seconds = 60.0
    var stall = 20.0
    var seed: UInt64 = UInt64(UInt32.random(in: 1...UInt32.max))
    var shape: (async: Int, compute: Int, pin: Bool, share: Bool, sparse: Bool)?
    var quiet = false

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            switch argument {
            case "--seconds": self.seconds = Double(rest.popFirst() ?? "") ?? self.seconds
            case "--stall": self.stall = Double(rest.popFirst() ?? "") ?? self.stall
            case "--seed": self.seed = UInt64(rest.popFirst() ?? "") ?? self.seed
            case "--quiet": self.quiet = true
            case "--shape":
                let parts = (rest.popFirst() ?? "").split(separator: ",")
                if parts.count >= 3, let a = Int(parts[0]), let c = Int(parts[1]) {
                    let flags = Set(parts.dropFirst(3))
                    self.shape = (a, c, parts[2] == "pin", flags.contains("share"), flags.contains("sparse"))
                }
            default:
                print(
                    "usage: LoomSoak [--seconds S] [--stall S] [--seed N] [--shape A,C,pin|nopin[,share][,sparse]] "
                        + "[--quiet]"
                )
                exit(64)
            }
        }
    }
}

let options = Options(CommandLine.arguments)

// MARK: Shared state

/// Every completed operation of every round: the watchdog's measure of progress.
let steps = Atomic<Int>(0)
let currentRound = Atomic<Int>(0)
/// The round's shape, for the watchdog's report.
let currentShape = Mutex<String>("")
/// The round's runtime, for the watchdog's report.
let liveRuntime = Mutex<LoomRuntime?>(nil)

func step() { steps.add(1, ordering: .relaxed) }

func fail(_ message: String) -> Never {
    print("SOAK FAILED in round \(currentRound.load(ordering: .relaxed)): \(message)")
    fflush(nil)
    exit(2)
}

func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fail(message()) }
}

/// A small deterministic generator (xorshift64*), one per thread or task.
struct Random {
    var state: UInt64
    init(_ seed: UInt64) { self.state = seed == 0 ? 0x9E37_79B9_7F4A_7C15 : seed }
    mutating func next() -> UInt64 {
        self.state ^= self.state >> 12
        self.state ^= self.state << 25
        self.state ^= self.state >> 27
        return self.state &* 0x2545_F491_4F6C_DD1D
    }
    mutating func below(_ n: Int) -> Int { Int(self.next() % UInt64(n)) }
}

/// Where `gap` leaves its result, so that the optimizer keeps the loop.
let gapSink = Atomic<Int>(0)

/// In a sparse round, the pause before each step: none one time in four, else busy work of 2^k iterations for a
/// random k below 18 (up to ~0.2 ms here). Dense rounds keep every thread busy, so threads seldom go idle; sparse
/// rounds catch the other threads in every phase of going idle — spinning, announcing, re-checking, parked — when
/// the next job arrives, which is where wake-ups get lost.
func gap(_ sparse: Bool, _ random: inout Random) {
    guard sparse, random.below(4) != 0 else { return }
    var x = 1 << random.below(18)
    for i in 0..<x { x = x &* 31 &+ i }
    gapSink.store(x, ordering: .relaxed)
}

@inline(never)
func work(_ n: Int) -> Int {
    var x = n
    for i in 0..<(n % 64) { x = x &* 31 &+ i }
    return x
}

/// The numbers 0..<count as an async sequence.
struct Numbers: AsyncSequence, Sendable {
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

/// Counts fire-and-forget jobs so that a lost one is noticed.
final class Tally: Sendable {
    let started = Atomic<Int>(0)
    let finished = Atomic<Int>(0)
}

// MARK: Watchdog

/// Prints the runtime's watchdog reports; drops its other warnings (more threads than CPUs, every round).
struct SoakLogHandler: LogHandler {
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .warning
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }
    func log(event: LogEvent) {
        let text = "\(event.message)"
        if text.hasPrefix("Loom runtime") || event.level >= .error { print("[\(event.level)] \(text)") }
    }
}

let soakLogger = Logger(label: "soak") { _ in SoakLogHandler() }

let watchdog = Thread {
    var last = -1
    var still = 0.0
    while true {
        Thread.sleep(forTimeInterval: 0.5)
        let now = steps.load(ordering: .relaxed)
        if now != last {
            last = now
            still = 0
            continue
        }
        still += 0.5
        guard still >= options.stall else { continue }
        let shape = currentShape.withLock { $0 }
        print(
            "SOAK HANG: no progress for \(still) s in round \(currentRound.load(ordering: .relaxed)) (\(shape)), \(now) steps"
        )
        if let runtime = liveRuntime.withLock({ $0 }) { print(runtime.diagnostics()) }
        fflush(nil)
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/gdb") {
            let gdb = Process()
            gdb.executableURL = URL(fileURLWithPath: "/usr/bin/gdb")
            gdb.arguments = ["-p", "\(getpid())", "-batch", "-ex", "thread apply all bt 12"]
            try? gdb.run()
            gdb.waitUntilExit()
        }
        exit(1)
    }
}
watchdog.start()

// MARK: One round

/// An async task's share of the round: every async entry point, with checked results.
func taskWork(_ runtime: LoomRuntime, seed: UInt64, iterations: Int, sparse: Bool, tally: Tally) async {
    var random = Random(seed)
    for _ in 0..<iterations {
        gap(sparse, &random)
        switch random.below(9) {
        case 0, 1, 2:
            let n = random.below(200)
            let value = await runtime.spawnCompute { work(n) }
            check(value == work(n), "spawnCompute returned \(value) for \(n)")
        case 3:
            let jobs = 1 + random.below(8)
            let total = Atomic<Int>(0)
            let returned = await runtime.scopeCompute { scope in
                for j in 0..<jobs { scope.spawn { total.add(j, ordering: .relaxed) } }
                return jobs
            }
            check(returned == jobs && total.load(ordering: .relaxed) == jobs * (jobs - 1) / 2, "scopeCompute")
        case 4:
            let n = random.below(100)
            let value = await runtime.spawnAsync { n &* 3 }.value
            check(value == n &* 3, "spawnAsync")
        case 5:
            let count = random.below(40)
            let width = 1 + random.below(3)
            var expected = 0
            var results: [Int] = []
            do {
                for try await y in Numbers(count: count).computeMap(on: runtime, maxConcurrency: width, { $0 * 2 }) {
                    results.append(y)
                }
            } catch {
                fail("computeMap threw \(error)")
            }
            for (i, y) in results.enumerated() where y != i * 2 { expected += 1 }
            check(results.count == count && expected == 0, "computeMap order or count")
        case 6:
            let count = random.below(5000)
            let sum = await runtime.spawnCompute { (0..<count).parallel.map { $0 &* 3 }.reduce(0, &+) }
            check(sum == (0..<count).reduce(0) { $0 &+ $1 &* 3 }, "parallel map in spawnCompute")
        case 7:
            // .parallel awaited from the async thread: the runtime's compute pool, the task suspended meanwhile.
            let count = random.below(3000)
            let evens = await (0..<count).parallel.filter { $0 % 2 == 0 }.count
            check(evens == (count + 1) / 2, "parallel filter on the async thread")
        default:
            tally.started.add(1, ordering: .relaxed)
            runtime.computePool.spawn { tally.finished.add(1, ordering: .relaxed) }
            await Task.yield()
        }
        step()
    }
}

/// An outside thread's share: the blocking entry points.
func threadWork(
    _ runtime: LoomRuntime,
    other: ComputePool,
    seed: UInt64,
    iterations: Int,
    sparse: Bool,
    tally: Tally
) {
    var random = Random(seed)
    for _ in 0..<iterations {
        gap(sparse, &random)
        switch random.below(9) {
        case 0, 1:
            let count = 100 + random.below(4000)
            let value = runtime.install { (0..<count).parallel.map { $0 &* 2 }.count }
            check(value == count, "install with parallel map")
        case 6:
            // broadcast: one job per worker, each woken where it sleeps (the inbox protocol).
            let threads = runtime.computePool.threadCount
            let indices = runtime.computePool.broadcast { $0 }
            check(indices == Array(0..<threads), "broadcast returned \(indices)")
        case 7:
            // A plain sequence in batches, and a fused chain, inside install.
            let count = random.below(5_000)
            let batch = 1 + random.below(300)
            let (mapped, chained) = runtime.install {
                (
                    (0..<count).lazy.map { $0 }.parallel(batchSize: batch).map { $0 &* 3 },
                    (0..<count).parallel.lazy.map { $0 &* 3 }.filter { $0 % 2 == 0 }.count()
                )
            }
            check(mapped == (0..<count).map { $0 &* 3 }, "batches")
            check(chained == (0..<count).filter { ($0 &* 3) % 2 == 0 }.count, "fused chain")
        case 8:
            var data = (0..<random.below(20_000)).map { $0 }
            let chunk = 1 + random.below(2_000)
            runtime.install {
                data.parallelUpdateChunks(ofCount: chunk) { span in
                    for i in span.indices { span[i] = -span[i] }
                }
            }
            check(data == (0..<data.count).map { -$0 }, "parallelUpdateChunks")
        case 2:
            let n = 10 + random.below(15)
            let (a, b) = runtime.computePool.join({ work(n) }, { work(n + 1) })
            check(a == work(n) && b == work(n + 1), "join from outside")
        case 3:
            // A worker of the runtime's pool calling into another pool: a cross-pool latch.
            let value = runtime.install { other.install { (0..<500).parallel.reduce(0) { $0 &+ $1 } } }
            check(value == 124_750, "cross-pool install")
        case 4:
            var data = (0..<(random.below(20_000))).map { _ in random.below(1000) }
            let expected = data.sorted()
            data.parallelSort()
            check(data == expected, "parallelSort")
        default:
            tally.started.add(1, ordering: .relaxed)
            runtime.computePool.spawn { tally.finished.add(1, ordering: .relaxed) }
        }
        step()
    }
}

func runRound(_ round: Int, random: inout Random, other: ComputePool) throws {
    // One round in three shares the async CPUs: compute threads beyond the compute CPUs borrow them at idle priority.
    // One round in three is sparse (a random pause before each step, see `gap`).
    let shape =
        options.shape
        ?? (
            async: 1 + random.below(3), compute: 1 + random.below(4), pin: random.below(4) != 0,
            share: random.below(3) == 0, sparse: random.below(3) == 0
        )
    currentShape.withLock {
        $0 =
            "\(shape.async),\(shape.compute),\(shape.pin ? "pin" : "nopin")\(shape.share ? ",share" : "")"
            + (shape.sparse ? ",sparse" : "")
    }
    let runtime = try LoomBuilder().prefix("soak").asyncThreads(shape.async).computeThreads(shape.compute)
        .pinThreads(shape.pin).shareAsyncCPUs(shape.share).watchdog(.seconds(max(1, options.stall / 2)))
        .logger(soakLogger).build()
    liveRuntime.withLock { $0 = runtime }
    let tally = Tally()
    // A sparse round has few tasks, so that the async threads go idle between steps too.
    let tasks = shape.sparse ? 1 + random.below(4) : 8 + random.below(40)
    let iterations = shape.sparse ? 100 + random.below(300) : 20 + random.below(60)
    let threads = (0..<(1 + random.below(2))).map { index in
        let seed = random.next()
        return Thread {
            threadWork(runtime, other: other, seed: seed, iterations: iterations, sparse: shape.sparse, tally: tally)
        }
    }
    for thread in threads { thread.start() }
    let seeds = (0..<tasks).map { _ in random.next() }
    let total = runtime.blockOn { () async -> Int in
        await withTaskGroup(of: Int.self) { group in
            for seed in seeds {
                group.addTask {
                    await taskWork(runtime, seed: seed, iterations: iterations, sparse: shape.sparse, tally: tally)
                    return 1
                }
            }
            return await group.reduce(0, +)
        }
    }
    check(total == tasks, "task group returned \(total) of \(tasks)")
    for thread in threads { while !thread.isFinished { Thread.sleep(forTimeInterval: 0.001) } }
    runtime.blockUntilIdle()
    check(runtime.isIdle, "not idle after blockUntilIdle")
    liveRuntime.withLock { $0 = nil }
    runtime.close()
    // close() runs every queued job before it returns: no fire-and-forget job may be lost.
    let started = tally.started.load(ordering: .relaxed)
    let ended = tally.finished.load(ordering: .relaxed)
    check(started == ended, "\(started) jobs spawned, \(ended) ran")
}

// MARK: Main

var random = Random(options.seed)
let other = try ComputePool(threads: 2, name: "soak-other")
let start = ContinuousClock.now
var rounds = 0
print("LoomSoak: \(options.seconds) s, seed \(options.seed), stall limit \(options.stall) s")
while ContinuousClock.now - start < .seconds(options.seconds) {
    rounds += 1
    currentRound.store(rounds, ordering: .relaxed)
    try runRound(rounds, random: &random, other: other)
    if !options.quiet && rounds % 50 == 0 {
        print("round \(rounds): \(steps.load(ordering: .relaxed)) steps")
        fflush(nil)
    }
}
print("SOAK PASSED: \(rounds) rounds, \(steps.load(ordering: .relaxed)) steps in \(ContinuousClock.now - start)")
