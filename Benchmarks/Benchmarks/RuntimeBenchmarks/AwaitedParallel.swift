import Benchmark
import Loom

// I1: the await-able parallel operations against their equivalent through the bridge. From a task on the runtime's
// async pool, `await xs.parallel.map { … }` moves the task to the compute pool and runs the operation there, as
// `await runtime.spawnCompute { xs.parallel.map { … } }` does (which also counts the call as tracked). Two sizes: 1 000
// trivial elements (the hop dominates) and 100 000 (the operation dominates). The synchronous form, which blocks the
// async thread instead, is measured beside them.

func registerAwaitedParallelBenchmarks() {
    let runtime = defaultRuntime
    for count in [1_000, 100_000] {
        let values = Array(0..<count)
        let label = count == 1_000 ? ", 1 000 elements" : ", 100 000 elements"

        Benchmark("I1 await xs.parallel.map\(label) (Loom)") { benchmark in
            await withTaskExecutorPreference(runtime.asyncExecutor) {
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(await values.parallel.map { $0 &* 3 }) }
                benchmark.stopMeasurement()
            }
        }

        Benchmark("I1 await spawnCompute { xs.parallel.map }\(label) (baseline)") { benchmark in
            await withTaskExecutorPreference(runtime.asyncExecutor) {
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    blackHole(await runtime.spawnCompute { values.parallel.map { $0 &* 3 } })
                }
                benchmark.stopMeasurement()
            }
        }

        Benchmark("I1 xs.parallel.map, blocking the async thread\(label) (baseline)") { benchmark in
            await withTaskExecutorPreference(runtime.asyncExecutor) {
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations { blackHole(blockingMap(values)) }
                benchmark.stopMeasurement()
            }
        }
    }
}

/// The synchronous `.parallel.map` (a synchronous function, so the compiler picks the synchronous form).
func blockingMap(_ values: [Int]) -> [Int] {
    values.parallel.map { $0 &* 3 }
}
