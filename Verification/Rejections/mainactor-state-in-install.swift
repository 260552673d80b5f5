// expect: main actor-isolated var 'counter' can not be referenced from a nonisolated context
import Loom

@MainActor var counter = 0

@MainActor func handler(_ runtime: LoomRuntime) -> Int {
    runtime.install { counter * 2 }
}
