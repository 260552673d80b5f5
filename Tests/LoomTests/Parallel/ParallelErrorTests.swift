import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Parallel operations: errors", .timeLimit(.minutes(10)))
struct ParallelErrorTests {
    let n = ParallelSizes.large

    @Test("a thrown error reaches the caller and the remaining work stops early")
    func mapStopsEarly() throws {
        let pool = try ComputePool(threads: 2, name: "t-perr")
        let calls = Counter()
        #expect(throws: TestError(id: 10)) {
            try pool.install {
                try (0..<self.n).parallel.map { (i) throws(TestError) -> Int in
                    calls.increment()
                    if i == 10 { throw TestError(id: 10) }
                    return i
                }
            }
        }
        #expect(calls.count < self.n / 10, "\(calls.count) of \(self.n) elements were transformed")
    }

    @Test("map destroys every result it built when a transform throws", arguments: [0, 1, 500, 27_777, -1])
    func mapDestroysPartialResults(failingOffset: Int) throws {
        let pool = try ComputePool(threads: 2, name: "t-pmapd")
        let live = Counter()
        let failing = failingOffset < 0 ? self.n - 1 : failingOffset
        #expect(throws: TestError(id: failing)) {
            try pool.install {
                try (0..<self.n).parallel.map { (i) throws(TestError) -> Tracked in
                    if i == failing { throw TestError(id: i) }
                    return Tracked(i, live: live)
                }
            }
        }
        #expect(live.count == 0)
    }

    @Test("map destroys partial results when several leaves fail")
    func mapManyFailures() throws {
        let pool = try ComputePool(threads: 2, name: "t-pmapm")
        let live = Counter()
        do throws(TestError) {
            _ = try pool.install { () throws(TestError) in
                try (0..<self.n).parallel.map { (i) throws(TestError) -> Tracked in
                    if i % 50_000 == 49_999 { throw TestError(id: i) }
                    return Tracked(i, live: live)
                }
            }
            Issue.record("map did not throw")
        } catch {
            #expect(error.id % 50_000 == 49_999)
        }
        #expect(live.count == 0)
        // And nothing leaks on success either.
        let built = (0..<10_000).parallel.map { Tracked($0, live: live) }
        #expect(live.count == 10_000 && built.map(\.value) == Array(0..<10_000))
    }

    @Test("filter, compactMap and flatMap destroy their partial results when a closure throws")
    func collectDestroysPartialResults() throws {
        let live = Counter()
        let objects = (0..<self.n).map { Tracked($0, live: live) }
        #expect(live.count == self.n)
        #expect(throws: TestError(id: 3)) {
            try objects.parallel.filter { (object) throws(TestError) in
                if object.value == self.n / 2 { throw TestError(id: 3) }
                return true
            }
        }
        #expect(throws: TestError(id: 4)) {
            try objects.parallel.compactMap { (object) throws(TestError) -> Tracked? in
                if object.value == self.n - 1 { throw TestError(id: 4) }
                return Tracked(object.value, live: live)
            }
        }
        #expect(throws: TestError(id: 5)) {
            try objects.parallel.flatMap { (object) throws(TestError) -> [Tracked] in
                if object.value == 1 { throw TestError(id: 5) }
                return [Tracked(object.value, live: live)]
            }
        }
        #expect(live.count == self.n)
    }

    @Test("forEach, reduce, count, min and max rethrow and stop early")
    func otherOperationsRethrow() throws {
        let pool = try ComputePool(threads: 2, name: "t-perr2")
        let calls = Counter()
        @Sendable func failing(_ i: Int) throws(TestError) -> Int {
            calls.increment()
            if i == 5 { throw TestError(id: 5) }
            return i
        }
        try pool.install { () throws(TestError) in
            #expect(throws: TestError(id: 5)) {
                try (0..<self.n).parallel.forEach { (i) throws(TestError) in _ = try failing(i) }
            }
            #expect(throws: TestError(id: 5)) {
                try (0..<self.n).parallel.reduce(0) { (a, b) throws(TestError) in try a + failing(b) }
            }
            #expect(throws: TestError(id: 5)) {
                try (0..<self.n).parallel.count { (i) throws(TestError) in try failing(i) > 3 }
            }
            #expect(throws: TestError(id: 5)) {
                try (0..<self.n).parallel.min { (a, b) throws(TestError) in try failing(a) < b }
            }
            #expect(throws: TestError(id: 5)) {
                try (0..<self.n).parallel.max { (a, b) throws(TestError) in try failing(a) < b }
            }
        }
        #expect(calls.count < self.n / 2, "\(calls.count) calls for five operations over \(self.n) elements")
    }

    @Test("an error thrown by reduce's combination of partial results is rethrown")
    func reduceCombineThrows() {
        let n = self.n
        // The operation fails only on values no single element reaches: that happens when partial sums combine.
        #expect(throws: TestError(id: 6)) {
            try (0..<n).parallel.reduce(0) { (a, b) throws(TestError) in
                if a > n && b > n { throw TestError(id: 6) }
                return a + b
            }
        }
    }

    @Test("first(where:) throws exactly what the sequential version throws")
    func firstWhereErrorIsSequential() throws {
        let pool = try ComputePool(threads: 2, name: "t-pfirst")
        let n = self.n
        // Errors from n/2 on, a match at 3n/4: sequentially the error at n/2 comes first.
        let predicate: @Sendable (Int) throws(TestError) -> Bool = { i throws(TestError) in
            if i >= n / 2 && i != 3 * n / 4 { throw TestError(id: i) }
            return i == 3 * n / 4
        }
        for _ in 0..<5 {
            #expect(throws: TestError(id: n / 2)) { try pool.install { try (0..<n).parallel.first(where: predicate) } }
        }
        // A match before the first error wins over it.
        let early: @Sendable (Int) throws(TestError) -> Bool = { i throws(TestError) in
            if i > n / 3 { throw TestError(id: i) }
            return i == n / 3
        }
        for _ in 0..<5 {
            #expect(try pool.install { try (0..<n).parallel.first(where: early) } == n / 3)
        }
    }

    @Test("contains and allSatisfy rethrow an error that comes before any match")
    func containsRethrows() {
        #expect(throws: TestError(id: 0)) {
            try (0..<self.n).parallel.contains { (i) throws(TestError) in throw TestError(id: 0) }
        }
        #expect(throws: TestError(id: 1)) {
            try (0..<self.n).parallel.allSatisfy { (i) throws(TestError) in throw TestError(id: 1) }
        }
    }
}
