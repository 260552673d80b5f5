import PropertyBased
import Synchronization
import Testing

@testable import Loom
@testable import LoomCompute
@testable import LoomSystem

/// Every terminal of a fused chain against the same chain run sequentially on `input`.
private func expectLazySameAsSequential(_ input: [Int], sourceLocation: SourceLocation = #_sourceLocation) {
    let chain = input.parallel.lazy.map { $0 &* 3 &+ 1 }.filter { $0 % 4 != 0 }.compactMap { $0 % 7 == 0 ? nil : $0 }
    let sequential = input.lazy.map { $0 &* 3 &+ 1 }.filter { $0 % 4 != 0 }.compactMap { $0 % 7 == 0 ? nil : $0 }
    let expected = Array(sequential)

    #expect(Array(chain) == expected, sourceLocation: sourceLocation)
    #expect(chain.count() == expected.count, sourceLocation: sourceLocation)
    #expect(chain.sum() == expected.reduce(0, &+), sourceLocation: sourceLocation)
    #expect(chain.reduce(0, &+) == expected.reduce(0, &+), sourceLocation: sourceLocation)
    #expect(chain.min() == expected.min(), sourceLocation: sourceLocation)
    #expect(chain.max() == expected.max(), sourceLocation: sourceLocation)
    #expect(chain.first() == expected.first, sourceLocation: sourceLocation)
    #expect(chain.first { $0 % 97 == 5 } == expected.first { $0 % 97 == 5 }, sourceLocation: sourceLocation)
    #expect(chain.contains { $0 % 89 == 1 } == expected.contains { $0 % 89 == 1 }, sourceLocation: sourceLocation)
    #expect(chain.contains(expected.last ?? -1) == !expected.isEmpty, sourceLocation: sourceLocation)
    #expect(chain.allSatisfy { $0 % 4 != 0 }, sourceLocation: sourceLocation)
    #expect(chain.allSatisfy { $0 < 1_000 } == expected.allSatisfy { $0 < 1_000 }, sourceLocation: sourceLocation)

    // Not commutative: the accumulators must be combined in collection order.
    let collected = chain.reduce(into: [Int]()) {
        $0.append($1)
    } combine: {
        $0.append(contentsOf: $1)
    }
    #expect(collected == expected, sourceLocation: sourceLocation)
    let histogram = chain.reduce(into: [Int: Int]()) {
        $0[$1 % 13, default: 0] += 1
    } combine: {
        $0.merge($1, uniquingKeysWith: +)
    }
    #expect(
        histogram == expected.reduce(into: [Int: Int]()) { $0[$1 % 13, default: 0] += 1 },
        sourceLocation: sourceLocation
    )

    // min/max pick the first of equal outputs, as the sequential code does.
    let tagged = input.enumerated().map { Tagged(key: $0.element % 50, id: $0.offset) }
    let taggedChain = tagged.parallel.lazy.filter { $0.id % 3 != 1 }
    let taggedExpected = tagged.filter { $0.id % 3 != 1 }
    #expect(taggedChain.min() == taggedExpected.min(), sourceLocation: sourceLocation)
    #expect(taggedChain.max() == taggedExpected.max(), sourceLocation: sourceLocation)
    #expect(
        taggedChain.min { $0.key > $1.key } == taggedExpected.min { $0.key > $1.key },
        sourceLocation: sourceLocation
    )

    // forEach visits every output once.
    let visits = Counter()
    let sum = Counter()
    chain.forEach { value in
        visits.increment()
        sum.increment(by: value)
    }
    #expect(visits.count == expected.count, sourceLocation: sourceLocation)
    #expect(sum.count == expected.reduce(0, &+), sourceLocation: sourceLocation)

    // Composed with the views and the splitting control.
    #expect(
        Array(input.parallel.enumerated().lazy.filter { $0.element % 2 == 0 }.map { $0.offset })
            == input.enumerated().filter { $0.element % 2 == 0 }.map { $0.offset },
        sourceLocation: sourceLocation
    )
    let other = input.reversed().map { $0 &+ 1 }
    #expect(
        input.parallel.zip(other).lazy.map { $0 &* $1 }.sum() == zip(input, other).map { $0 &* $1 }.reduce(0, &+),
        sourceLocation: sourceLocation
    )
    #expect(
        input.parallel.chunks(ofCount: 100).lazy.map { $0.reduce(0, &+) }.sum() == input.reduce(0, &+),
        sourceLocation: sourceLocation
    )
    for minimum in [1, 1_000, max(1, input.count)] {
        #expect(
            Array(input.parallel.minimumSplit(minimum).lazy.map { $0 &+ 1 }.filter { $0 % 3 == 0 })
                == input.map { $0 &+ 1 }.filter { $0 % 3 == 0 },
            sourceLocation: sourceLocation
        )
    }
}

@Suite("Parallel fused chains (lazy)", .timeLimit(.minutes(10)))
struct ParallelLazyTests {
    @Test("every terminal gives what the sequential chain gives", arguments: ParallelSizes.all)
    func sameAsSequential(count: Int) {
        expectLazySameAsSequential(sampleValues(count))
    }

    @Test("random arrays (property)")
    func randomArrays() async {
        await propertyCheck(count: 30, input: Gen.int(in: -1_000...1_000).array(of: 0...3_000)) { values in
            expectLazySameAsSequential(values)
        }
    }

    @Test("a pool of one thread gives the same results")
    func oneThread() throws {
        let pool = try ComputePool(threads: 1, name: "t-lazy1")
        pool.install { expectLazySameAsSequential(sampleValues(10_000, seed: 3)) }
    }

    @Test("one pass: each stage's closure runs once per element that reaches it, and nothing runs before the terminal")
    func onePass() throws {
        let pool = try ComputePool(threads: 2, name: "t-lazyp")
        let n = ParallelSizes.large
        let maps = Counter()
        let filters = Counter()
        let laterMaps = Counter()
        let chain = (0..<n).parallel.lazy
            .map { (x: Int) -> Int in
                maps.increment()
                return x &* 2
            }
            .filter { (x: Int) -> Bool in
                filters.increment()
                return x % 3 == 0
            }
            .map { (x: Int) -> Int in
                laterMaps.increment()
                return x &+ 1
            }
        #expect(maps.count == 0 && filters.count == 0 && laterMaps.count == 0)
        let total = pool.install { chain.sum() }
        #expect(total == (0..<n).map { $0 &* 2 }.filter { $0 % 3 == 0 }.map { $0 &+ 1 }.reduce(0, &+))
        #expect(maps.count == n)
        #expect(filters.count == n)
        #expect(laterMaps.count == (n + 2) / 3)
    }

    @Test("the chain's closures run on the pool that runs the terminal")
    func runsOnCallingPool() throws {
        let pool = try ComputePool(threads: 2, name: "t-lazyw")
        let elsewhere = Counter()
        let registry = pool.registry
        let count = pool.install {
            (0..<ParallelSizes.large).parallel.lazy.map { (x: Int) -> Int in
                if currentRegistry() !== registry { elsewhere.increment() }
                return x
            }
            .count()
        }
        #expect(count == ParallelSizes.large)
        #expect(elsewhere.count == 0)
    }

    @Test("errors: the earliest error in collection order is rethrown, from any stage", arguments: [0, 1, 777, -1])
    func earliestError(failingOffset: Int) throws {
        let pool = try ComputePool(threads: 2, name: "t-lazye")
        let n = ParallelSizes.large
        let failing = failingOffset < 0 ? n - 1 : failingOffset
        let chain = (0..<n).parallel.lazy(throwing: TestError.self)
            .map { (x) throws(TestError) -> Int in
                if x == failing { throw TestError(id: x) }
                return x
            }
            .filter { (x) throws(TestError) -> Bool in
                if x == failing + 1 { throw TestError(id: x) }  // A later element fails in a later stage.
                return true
            }
        #expect(throws: TestError(id: failing)) { try pool.install { () throws(TestError) in try chain.sum() } }
        #expect(throws: TestError(id: failing)) { try pool.install { () throws(TestError) in try Array(chain) } }
        #expect(throws: TestError(id: failing)) {
            try pool.install { () throws(TestError) in
                try chain.reduce(into: 0) {
                    $0 &+= $1
                } combine: {
                    $0 &+= $1
                }
            }
        }
        #expect(throws: TestError(id: failing)) {
            try pool.install { () throws(TestError) in try chain.forEach { _ in } }
        }
    }

    @Test("first(where:) and contains(where:) throw exactly what the sequential chain throws")
    func firstThrowsLikeSequential() throws {
        let pool = try ComputePool(threads: 2, name: "t-lazyf")
        let n = ParallelSizes.large
        let chain = (0..<n).parallel.lazy(throwing: TestError.self).map { (x) throws(TestError) -> Int in
            if x == n / 2 { throw TestError(id: x) }
            return x
        }
        // A match before the failing element: no error, as sequentially.
        #expect(try pool.install { () throws(TestError) in try chain.first { $0 == 10 } } == 10)
        #expect(try pool.install { () throws(TestError) in try chain.contains { $0 == n / 2 - 1 } })
        // A match after it (or none): the error, as sequentially.
        #expect(throws: TestError(id: n / 2)) {
            try pool.install { () throws(TestError) in try chain.first { $0 == n - 1 } }
        }
        #expect(throws: TestError(id: n / 2)) {
            try pool.install { () throws(TestError) in try chain.allSatisfy { $0 >= 0 } }
        }
    }

    @Test("Array(chain) destroys every output it built when a stage throws")
    func arrayDestroysPartialResults() throws {
        let pool = try ComputePool(threads: 2, name: "t-lazyd")
        let live = Counter()
        let n = ParallelSizes.large
        #expect(throws: TestError(id: n - 7)) {
            try pool.install { () throws(TestError) in
                try Array(
                    (0..<n).parallel.lazy(throwing: TestError.self).map { (x) throws(TestError) -> Tracked in
                        if x == n - 7 { throw TestError(id: x) }
                        return Tracked(x, live: live)
                    }
                )
            }
        }
        #expect(live.count == 0)
    }

    @Test("the awaited terminals give the same results")
    func awaited() async throws {
        let values = sampleValues(30_000, seed: 11)
        let chain = values.parallel.lazy.filter { $0 % 3 != 0 }.map { $0 &* 5 }
        let expected = values.filter { $0 % 3 != 0 }.map { $0 &* 5 }
        #expect(await chain.sum() == expected.reduce(0, &+))
        #expect(await chain.count() == expected.count)
        #expect(await Array(chain) == expected)
        #expect(await chain.min() == expected.min())
        #expect(await chain.max() == expected.max())
        #expect(await chain.first { $0 > 4_000 } == expected.first { $0 > 4_000 })
        #expect(await chain.contains(expected[expected.count / 2]))
        #expect(await chain.allSatisfy { $0 % 5 == 0 })
        #expect(await chain.reduce(0, &+) == expected.reduce(0, &+))
        let collected = await chain.reduce(into: [Int]()) {
            $0.append($1)
        } combine: {
            $0.append(contentsOf: $1)
        }
        #expect(collected == expected)
        let visits = Counter()
        await chain.forEach { _ in visits.increment() }
        #expect(visits.count == expected.count)
    }
}
