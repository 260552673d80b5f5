// The README's first example: build a runtime, enter it with blockOn, run async and compute work.
// swift run QuickStart
import Loom

func fetch() async -> Int { 42 }  // stands in for I/O

let runtime = try LoomBuilder()
    .prefix("myapp")
    .asyncThreads(2)
    .computeThreads(6)
    .build()
print(runtime)

let data = Array(1...100_000)
let value = runtime.blockOn {
    let io = runtime.spawnAsync { await fetch() }  // a tracked task on the async pool
    let sum = await runtime.spawnCompute {  // the caller suspends; runs on the compute pool
        (0..<1_000_000).reduce(0, +)
    }
    let doubled = runtime.install {  // blocks until done; runs on the compute pool
        data.parallel.map { $0 * 2 }
    }
    return await io.value + sum + doubled.count
}
print("value:", value)
runtime.blockUntilIdle()  // shutdown() + wait for tracked tasks
