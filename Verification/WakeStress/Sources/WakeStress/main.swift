// Sparse-load stress of the wait/wake protocols: every step is preceded by a random gap (0 to ~200 µs of busy
// work on the calling thread), so the other pool's threads are caught in every phase of going idle — spinning,
// announcing, re-checking, parked — when the next job arrives. A watchdog aborts when no step completes for 10 s.
import Foundation
import Loom
import Synchronization

let progress = Atomic<Int>(0)
let roundNumber = Atomic<Int>(0)
let shapeText = Mutex<String>("")
let seconds = Double(CommandLine.arguments.dropFirst().first ?? "60") ?? 60
let start = Date()

let watchdog = Thread {
    var last = -1
    var stuck = 0
    while true {
        Thread.sleep(forTimeInterval: 1)
        let p = progress.load(ordering: .relaxed)
        if p == last { stuck += 1 } else { stuck = 0; last = p }
        if stuck >= 10 {
            let shape = shapeText.withLock { $0 }
            print(
                "HANG: no progress for 10 s in round \(roundNumber.load(ordering: .relaxed)) (\(shape)) at step \(p), "
                    + "\(Date().timeIntervalSince(start)) s in"
            )
            fflush(nil)
            abort()
        }
    }
}
watchdog.start()

/// xorshift64
struct Rng {
    var x: UInt64
    mutating func next() -> UInt64 { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x }
    /// The pause before a step, in `spin` iterations: 0 one time in four, else 2^k (k below 19) plus a little.
    mutating func gap() -> Int {
        let r = next()
        if r & 3 == 0 { return 0 }
        return Int(1 << ((r >> 8) % 19)) + Int((r >> 24) & 63)
    }
}

@inline(never) func spin(_ n: Int) -> Int { var x = n; for i in 0..<n { x = x &* 31 &+ i }; return x }

let env = ProcessInfo.processInfo.environment
var rounds = 0
var rng = Rng(x: UInt64(UInt32(truncatingIfNeeded: getpid())) | 0x1234_5678_0000_0000)
while Date().timeIntervalSince(start) < seconds {
    rounds += 1
    roundNumber.store(rounds, ordering: .relaxed)
    let asyncT = env["WS_ASYNC"].flatMap { Int($0) } ?? Int(rng.next() % 2) + 1
    let computeT = env["WS_COMPUTE"].flatMap { Int($0) } ?? Int(rng.next() % 3) + 1
    let pin = env["WS_PIN"].map { $0 == "1" } ?? (rng.next() % 4 != 0)
    let tasks = env["WS_TASKS"].flatMap { Int($0) } ?? Int(rng.next() % 4) + 1
    let outsiders = env["WS_OUTSIDE"].flatMap { Int($0) } ?? Int(rng.next() % 3)
    let steps = 1500
    shapeText.withLock {
        $0 = "\(asyncT) async + \(computeT) compute, pin \(pin), \(tasks) tasks, \(outsiders) outside"
    }
    let rt = try LoomBuilder().prefix("ws").asyncThreads(asyncT).computeThreads(computeT).pinThreads(pin).build()
    let seed = rng.next()
    let outside = (0..<outsiders).map { k in
        Thread {
            var r = Rng(x: seed ^ UInt64(k + 1) &* 0x9E37_79B9_7F4A_7C15)
            for _ in 0..<400 {
                _ = spin(r.gap())
                let n = Int(r.next() % 300) + 1
                let c = rt.install { (0..<n).parallel.map { $0 &* 2 }.count }
                precondition(c == n)
                progress.add(1, ordering: .relaxed)
            }
        }
    }
    for t in outside { t.start() }
    let total = rt.blockOn { () async -> Int in
        await withTaskGroup(of: Int.self) { group in
            for k in 0..<tasks {
                group.addTask {
                    var r = Rng(x: seed &+ UInt64(k) &* 0xD1B5_4A32_D192_ED03 | 1)
                    var acc = 0
                    for i in 0..<steps {
                        _ = spin(r.gap())
                        let g = r.gap() >> 3
                        acc &+= await rt.spawnCompute { spin(g) &* 0 &+ 1 }
                        if i % 32 == 0 { acc &+= await rt.spawnAsync { 1 }.value }
                        progress.add(1, ordering: .relaxed)
                    }
                    return acc
                }
            }
            var s = 0
            for await v in group { s &+= v }
            return s
        }
    }
    precondition(total == tasks * (steps + (steps + 31) / 32), "wrong total \(total)")
    for t in outside { while !t.isFinished { usleep(1000) } }
    rt.blockUntilIdle()
    rt.close()
    if rounds % 20 == 0 { print("round \(rounds) ok, steps \(progress.load(ordering: .relaxed))"); fflush(nil) }
}
print(
    "WAKESTRESS DONE: \(rounds) rounds, \(progress.load(ordering: .relaxed)) steps, \(Int(Date().timeIntervalSince(start))) s, no hang"
)
