import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Parallel operations: early exit and placement", .timeLimit(.minutes(10)))
struct ParallelEarlyExitTests {
    let n = ParallelSizes.large

    @Test("contains, first(where:) and allSatisfy stop soon after the answer is known")
    func earlyExit() throws {
        let pool = try ComputePool(threads: 2, name: "t-pexit")
        let calls = Counter()
        let found = pool.install {
            (0..<self.n).parallel.contains { i in
                calls.increment()
                return i == 10
            }
        }
        #expect(found)
        #expect(calls.count < self.n / 10, "contains examined \(calls.count) of \(self.n)")

        let firstCalls = Counter()
        let first = pool.install {
            (0..<self.n).parallel.first { i in
                firstCalls.increment()
                return i % 1_000 == 999
            }
        }
        #expect(first == 999)
        #expect(firstCalls.count < self.n / 10, "first(where:) examined \(firstCalls.count) of \(self.n)")

        let allCalls = Counter()
        let all = pool.install {
            (0..<self.n).parallel.allSatisfy { i in
                allCalls.increment()
                return i != 10
            }
        }
        #expect(!all)
        #expect(allCalls.count < self.n / 10, "allSatisfy examined \(allCalls.count) of \(self.n)")
    }

    @Test("first(where:) returns the earliest match even when a later one is found first")
    func firstWhereEarliest() throws {
        let pool = try ComputePool(threads: 2, name: "t-pfirst2")
        let n = 100_000
        for _ in 0..<3 {
            // The last element of the first half matches, and so does the first element of the second half,
            // which the other worker steals; the first half's match waits until the later one has been found.
            let laterFound = Gate<Void>()
            let result = pool.install {
                (0..<n).parallel.first { i in
                    if i == n / 2 {
                        laterFound.open(with: ())
                        return true
                    }
                    if i == n / 2 - 1 {
                        laterFound.wait()
                        return true
                    }
                    return false
                }
            }
            #expect(result == n / 2 - 1)
        }
    }

    @Test("first(where:) with matches everywhere returns the first element", arguments: [1, 2, 1_000, 100_000])
    func firstWhereEverywhere(count: Int) {
        #expect((0..<count).parallel.first { _ in true } == 0)
        #expect((0..<count).parallel.first { $0 % 7 == 6 } == (count > 6 ? 6 : nil))
    }

    @Test("from outside any pool, operations run on the shared pool")
    func runsOnSharedPool() {
        #expect(WorkerThread.current == nil)
        let shared = ComputePool.shared.registry
        let places = (0..<10_000).parallel.map { _ in currentRegistry() === shared }
        #expect(places.allSatisfy { $0 })
        let sortedOnShared = Atomic<Bool>(true)
        var values = sampleValues(50_000)
        values.parallelSort { a, b in
            if currentRegistry() !== shared { sortedOnShared.store(false, ordering: .relaxed) }
            return a < b
        }
        let allOnShared = sortedOnShared.load(ordering: .relaxed)
        #expect(allOnShared)
        #expect(values == sampleValues(50_000).sorted())
    }

    @Test("inside install, operations run on that pool, nested ones too")
    func runsOnInstalledPool() throws {
        let pool = try ComputePool(threads: 2, name: "t-pplace")
        let other = try ComputePool(threads: 1, name: "t-pother")
        let registry = pool.registry
        let places = pool.install {
            (0..<10_000).parallel.map { _ in currentRegistry() === registry }
        }
        #expect(places.allSatisfy { $0 })
        // Nested: an operation inside an operation's closure stays on the same pool.
        let nested = pool.install {
            (0..<100).parallel.map { _ in (0..<100).parallel.allSatisfy { _ in currentRegistry() === registry } }
        }
        #expect(nested.allSatisfy { $0 })
        // From a worker of another pool, `install` picks the pool.
        let crossed = other.install {
            pool.install { (0..<1_000).parallel.map { _ in currentRegistry() === registry } }
        }
        #expect(crossed.allSatisfy { $0 })
        // Without `install`, an operation on another pool's worker uses that worker's pool.
        let otherRegistry = other.registry
        let own = other.install { (0..<1_000).parallel.map { _ in currentRegistry() === otherRegistry } }
        #expect(own.allSatisfy { $0 })
    }

    @Test("a one-thread pool computes the same results")
    func oneThread() throws {
        let pool = try ComputePool(threads: 1, name: "t-pone")
        let values = sampleValues(100_000)
        let (mapped, sorted, first) = pool.install {
            (values.parallel.map { $0 + 1 }, values.parallel.sorted(), values.parallel.first { $0 == 500 })
        }
        #expect(mapped == values.map { $0 + 1 })
        #expect(sorted == values.sorted())
        #expect(first == values.first { $0 == 500 })
    }
}
