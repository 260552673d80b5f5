// The README's first example: build a runtime, then run I/O-shaped work on its async pool and CPU work on its compute
// pool, from the main actor (top-level code), awaiting both. `swift run QuickStart`
import Loom

func fetch() async -> Int { 42 }  // stands in for I/O

let runtime = try LoomBuilder()
    .prefix("myapp")
    .asyncThreads(2)
    .computeThreads(6)
    .build()
print(runtime)

let data = Array(1...100_000)
let io = runtime.spawnAsync { await fetch() }  // a tracked task on the async pool
let sum = await runtime.spawnCompute {  // on the compute pool; the main actor is free meanwhile
    (0..<1_000_000).reduce(0, +)
}
let doubled = await runtime.spawnCompute {  // a parallel map on the compute pool's threads
    data.parallel.map { $0 * 2 }
}
print("value:", await io.value + sum + doubled.count)
runtime.shutdown()
await runtime.waitForShutdown()  // every tracked task has finished
