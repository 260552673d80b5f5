// expect: main actor-isolated var 'counter' can not be referenced from a nonisolated context
import Loom

@MainActor var counter = 0

@MainActor func handler(_ pool: ComputePool) -> Int {
    pool.scope { _ in counter }
}
