// Loom from actors and the main actor: an @main type's async main (the main actor), an actor that keeps state, and
// nonisolated helpers. Every closure Loom runs elsewhere is nonisolated by its type. `swift run Actors`
import Loom

/// State behind an actor; its CPU work goes to the compute pool with a copy of what it needs.
actor Scoreboard {
    private var scores: [Int] = []
    private let runtime: LoomRuntime

    init(runtime: LoomRuntime) { self.runtime = runtime }

    func add(_ batch: [Int]) { self.scores += batch }

    /// The top `n` scores, sorted on the compute pool; the actor is free for other callers meanwhile.
    func top(_ n: Int) async -> [Int] {
        let scores = self.scores  // a Sendable copy: the closure cannot read the actor's state
        return await self.runtime.spawnCompute { Array(scores.sorted(by: >).prefix(n)) }
    }
}

/// Not Sendable: made on the compute pool and handed back (`spawnCompute`'s result is `sending`).
final class Histogram {
    var buckets: [Int: Int] = [:]
    init(_ values: [Int]) {
        for value in values { self.buckets[value / 10, default: 0] += 1 }
    }
}

@main
struct Actors {
    static func main() async throws {
        let runtime = try LoomBuilder().prefix("actors").asyncThreads(1).computeThreads(2).build()
        let values = (0..<10_000).map { ($0 * 7919) % 1000 }

        // On the main actor: the closures run on the compute pool.
        let total = await runtime.spawnCompute { values.map { $0 * 2 }.reduce(0, +) }
        let histogram = await runtime.spawnCompute { Histogram(values) }
        histogram.buckets[-1] = 0  // ours now, on the main actor
        let evens = await values.parallel.filter { $0 % 2 == 0 }  // awaited: the main actor is not blocked
        print("total \(total), \(histogram.buckets.count) buckets, \(evens.count) even values")

        // In an actor.
        let board = Scoreboard(runtime: runtime)
        await board.add(values)
        print("top 3:", await board.top(3))

        runtime.shutdown()
        await runtime.waitForShutdown()
    }
}
