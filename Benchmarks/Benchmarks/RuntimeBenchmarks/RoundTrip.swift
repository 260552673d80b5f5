import Benchmark
import Dispatch
import Loom

// P1: `spawnCompute { 1 }` awaited from a task on the async pool, sequentially (a full round trip), against
// `withUnsafeContinuation` + `DispatchQueue.global().async` and `Task.detached { 1 }.value`, each awaited twice:
// from the same Loom async-pool task (the like-for-like hand-off: the caller stays where it is, only the mechanism
// differs), and from a task on the global executor (what a Swift program does without Loom; there Dispatch often
// runs the block on the very thread that just suspended, so nothing crosses threads).

/// The Dispatch baseline: hand `1` to a Dispatch worker and await it through a continuation.
func dispatchHandOff() async -> Int {
    await withUnsafeContinuation { (continuation: UnsafeContinuation<Int, Never>) in
        DispatchQueue.global().async { continuation.resume(returning: 1) }
    }
}

func registerRoundTripBenchmarks() {
    let runtime = defaultRuntime

    Benchmark("P1 spawnCompute { 1 } round trip (Loom)") { benchmark in
        await withTaskExecutorPreference(runtime.asyncExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await runtime.spawnCompute { 1 }) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 Dispatch hand-off awaited on the Loom async pool (baseline)") { benchmark in
        await withTaskExecutorPreference(runtime.asyncExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await dispatchHandOff()) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 Task.detached { 1 }.value awaited on the Loom async pool (baseline)") { benchmark in
        await withTaskExecutorPreference(runtime.asyncExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await Task.detached { 1 }.value) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 Dispatch hand-off awaited on the global executor (baseline)") { benchmark in
        do {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await dispatchHandOff()) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 Task.detached { 1 }.value awaited on the global executor (baseline)") { benchmark in
        do {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await Task.detached { 1 }.value) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 spike (a): spawnCompute from a task on a NIO event loop executor") { benchmark in
        await withTaskExecutorPreference(nioExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await runtime.spawnCompute { 1 }) }
            benchmark.stopMeasurement()
        }
    }
}
