// Instruction counts for `Benchmarks/callgrind.sh`: runs one operation N times so that callgrind can count the
// instructions it executes. The script runs each operation at two sizes and divides the difference by the
// difference in N, so start-up, thread creation and shutdown cancel out.
//
//   InstructionCounts p1 N       N sequential `await runtime.spawnCompute { 1 }` round trips (1 async + 1 compute)
//   InstructionCounts join N     fib with `join` at every level on a 1-thread pool, run until N joins are done
//   InstructionCounts map N      `(0..<N).parallel.map { $0 &* 3 }` on a 1-thread pool
//   InstructionCounts dispatch N N `withUnsafeContinuation` + `DispatchQueue.global().async` hand-offs (P1's baseline)
import Dispatch
import Loom

#if canImport(Glibc)
import Glibc
#endif

/// fib(n) with a join at every level: fib(n) makes fib(n + 1) - 1 joins.
func fibJoin(_ n: Int) -> Int {
    if n < 2 { return n }
    let (a, b) = join({ fibJoin(n - 1) }, { fibJoin(n - 2) })
    return a + b
}

/// The number of joins fibJoin(n) makes.
func joins(_ n: Int) -> Int {
    var (a, b) = (0, 1)  // fib(0), fib(1)
    for _ in 0..<(n + 1) { (a, b) = (b, a + b) }
    return a - 1  // fib(n + 1) - 1
}

let arguments = CommandLine.arguments.dropFirst()
guard arguments.count == 2, let count = Int(arguments.last!), count >= 0 else {
    print("usage: InstructionCounts p1|join|map|dispatch N")
    exit(64)
}
var sink = 0
switch arguments.first! {
case "p1":
    let runtime = try LoomBuilder().prefix("counts").asyncThreads(1).computeThreads(1).build()
    sink = runtime.blockOn {
        var total = 0
        for _ in 0..<count { total &+= await runtime.spawnCompute { 1 } }
        return total
    }
    runtime.close()
case "dispatch":
    let done = DispatchSemaphore(value: 0)
    let box = Task.detached {
        var total = 0
        for _ in 0..<count {
            total &+= await withUnsafeContinuation { (continuation: UnsafeContinuation<Int, Never>) in
                DispatchQueue.global().async { continuation.resume(returning: 1) }
            }
        }
        done.signal()
        return total
    }
    done.wait()
    _ = box
case "join":
    // The smallest n whose join count reaches `count`; the script uses counts that are exact join counts.
    var n = 1
    while joins(n) < count { n += 1 }
    let pool = try ComputePool(threads: 1, name: "counts")
    sink = pool.install { fibJoin(n) }
    pool.close()
case "map":
    let pool = try ComputePool(threads: 1, name: "counts")
    sink = pool.install { (0..<count).parallel.map { $0 &* 3 }.count }
    pool.close()
default:
    print("unknown operation \(arguments.first!)")
    exit(64)
}
print(sink)
