// expect: main actor-isolated var 'counter' can not be referenced from a nonisolated context
import Loom

@MainActor var counter = 0

@MainActor func handler(_ values: [Int]) async -> [Int] {
    await values.parallel.map { $0 + counter }
}
