// expect: loses global actor 'MainActor'
import Loom

@MainActor func handler(_ runtime: LoomRuntime) async {
    let work: @MainActor () -> Int = { 1 }
    _ = await runtime.spawnCompute(work)
}
