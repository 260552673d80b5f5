import Benchmark
import Dispatch
import Loom

// P1: `spawnCompute { 1 }` awaited from a task on the async pool, sequentially (a full round trip), against
// `withUnsafeContinuation` + `DispatchQueue.global().async` and `Task.detached { 1 }.value`, both awaited from a
// task on the global executor (what a Swift program does without Loom).

func registerRoundTripBenchmarks() {
    let runtime = defaultRuntime

    Benchmark("P1 spawnCompute { 1 } round trip (Loom)") { benchmark in
        await withTaskExecutorPreference(runtime.asyncExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await runtime.spawnCompute { 1 }) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 withUnsafeContinuation + DispatchQueue.global().async (baseline)") { benchmark in
        do {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                let value = await withUnsafeContinuation { (continuation: UnsafeContinuation<Int, Never>) in
                    DispatchQueue.global().async { continuation.resume(returning: 1) }
                }
                blackHole(value)
            }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P1 Task.detached { 1 }.value (baseline)") { benchmark in
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
