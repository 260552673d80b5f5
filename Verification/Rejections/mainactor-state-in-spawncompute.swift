// expect: main actor-isolated var 'counter' can not be mutated from a nonisolated context
import Loom

@MainActor var counter = 0

@MainActor func handler(_ runtime: LoomRuntime) async {
    await runtime.spawnCompute { counter += 1 }
}
