import Benchmark
import Loom

// P2: `spawnAsync { 1 }` + `await .value` from inside the async pool, against `Task { 1 }.value` on the global
// executor.

func registerSpawnAsyncBenchmarks() {
    let runtime = defaultRuntime

    Benchmark("P2 spawnAsync { 1 }.value inside the async pool (Loom)") { benchmark in
        await withTaskExecutorPreference(runtime.asyncExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await runtime.spawnAsync { 1 }.value) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P2 Task { 1 }.value on the global executor (baseline)") { benchmark in
        do {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await Task { 1 }.value) }
            benchmark.stopMeasurement()
        }
    }

    Benchmark("P2 spike (a): Task(executorPreference: NIO loop) { 1 }.value inside the loop") { benchmark in
        await withTaskExecutorPreference(nioExecutor) {
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations { blackHole(await Task(executorPreference: nioExecutor) { 1 }.value) }
            benchmark.stopMeasurement()
        }
    }
}
