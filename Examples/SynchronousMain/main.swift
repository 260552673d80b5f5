// A synchronous program enters the runtime with blockOn. On the main thread blockOn keeps the main queue running while
// it waits, so a body that awaits the main actor completes. `swift run SynchronousMain`
import Loom

let runtime = try LoomBuilder().prefix("sync").asyncThreads(1).computeThreads(2).build()

let answer = runtime.blockOn {
    let onMain = await MainActor.run { 40 }  // hops to the main actor, which is this blocked thread's queue
    let computed = await runtime.spawnCompute { [1, 1].reduce(0, +) }
    return onMain + computed
}
print("answer:", answer)

// install from synchronous code: the caller blocks until the pool is done.
let sorted = runtime.install { (0..<100_000).reversed().parallel.sorted() }
print("sorted:", sorted.first ?? -1, "...", sorted.last ?? -1)
runtime.blockUntilIdle()
