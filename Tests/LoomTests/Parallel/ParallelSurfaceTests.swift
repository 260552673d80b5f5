import PropertyBased
import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if canImport(Glibc)
import Glibc
#endif

/// The sizes of the pieces a parallel operation on `view` cuts its input into, in order.
private func pieceSizes<Base>(_ view: ParallelView<Base>) -> [Int] {
    view.reduce(into: [0]) { sizes, _ in
        sizes[0] += 1
    } combine: { sizes, right in
        sizes.append(contentsOf: right)
    }
    .filter { $0 > 0 }
}

/// `reduce(into:combine:)`, the adapters, `minimumSplit` and `parallelUpdate` against their sequential
/// counterparts on `input`.
private func expectSurfaceSameAsSequential(_ input: [Int], sourceLocation: SourceLocation = #_sourceLocation) {
    let parallel = input.parallel
    // An accumulator per piece, combined in order: a histogram, and (not commutative) the elements themselves.
    let histogram = parallel.reduce(into: [Int: Int]()) { counts, x in
        counts[x % 17, default: 0] += 1
    } combine: {
        $0.merge($1, uniquingKeysWith: +)
    }
    #expect(
        histogram == input.reduce(into: [Int: Int]()) { $0[$1 % 17, default: 0] += 1 },
        sourceLocation: sourceLocation
    )
    let collected = parallel.reduce(into: [Int]()) {
        $0.append($1)
    } combine: {
        $0.append(contentsOf: $1)
    }
    #expect(collected == input, sourceLocation: sourceLocation)

    // Adapters, alone and composed.
    #expect(
        parallel.enumerated().map { $0.offset &* 7 &+ $0.element } == input.enumerated().map { $0 &* 7 &+ $1 },
        sourceLocation: sourceLocation
    )
    #expect(
        parallel.enumerated().first { $0.element % 97 == 3 }?.offset
            == input.enumerated().first { $0.element % 97 == 3 }?.offset,
        sourceLocation: sourceLocation
    )
    let other = Array(input.dropFirst(input.count / 3).map { $0 &* 2 })
    #expect(parallel.zip(other).map { $0 &- $1 } == zip(input, other).map { $0 &- $1 }, sourceLocation: sourceLocation)
    #expect(
        parallel.zip(other).enumerated().filter { $0.element.0 > $0.element.1 }.map(\.offset)
            == zip(input, other).enumerated().filter { $0.element.0 > $0.element.1 }.map(\.offset),
        sourceLocation: sourceLocation
    )
    for size in [1, 3, 1_000] {
        let chunks = parallel.chunks(ofCount: size).map { Array($0) }
        let expected = stride(from: 0, to: input.count, by: size).map { Array(input[$0..<min($0 + size, input.count)]) }
        #expect(chunks == expected, "chunks of \(size)", sourceLocation: sourceLocation)
        #expect(
            parallel.chunks(ofCount: size).reduce(into: 0) {
                $0 &+= $1.reduce(0, &+)
            } combine: {
                $0 &+= $1
            }
                == input.reduce(0, &+),
            sourceLocation: sourceLocation
        )
    }

    // Splitting control: results unchanged, every piece at least the minimum (or the whole input if shorter).
    for minimum in [1, 7, 5_000, max(1, input.count)] {
        let view = parallel.minimumSplit(minimum)
        #expect(view.map { $0 &+ 1 } == input.map { $0 &+ 1 }, sourceLocation: sourceLocation)
        #expect(view.filter { $0 % 2 == 0 } == input.filter { $0 % 2 == 0 }, sourceLocation: sourceLocation)
        #expect(view.reduce(0) { $0 &+ $1 } == input.reduce(0, &+), sourceLocation: sourceLocation)
        let sizes = pieceSizes(view)
        #expect(sizes.reduce(0, +) == input.count, sourceLocation: sourceLocation)
        #expect(
            sizes.allSatisfy { $0 >= min(minimum, input.count) },
            "\(minimum): \(sizes)",
            sourceLocation: sourceLocation
        )
        if minimum * 2 > input.count { #expect(sizes.count <= 1, sourceLocation: sourceLocation) }
    }

    // In place, with and without indices.
    var updated = input
    updated.parallelUpdate { $0 = $0 &* 3 &+ 1 }
    #expect(updated == input.map { $0 &* 3 &+ 1 }, sourceLocation: sourceLocation)
    updated.parallelUpdate { index, element in element = element &- index }
    #expect(updated == input.enumerated().map { ($1 &* 3 &+ 1) &- $0 }, sourceLocation: sourceLocation)
}

@Suite("Parallel surface: accumulators, adapters, splitting control, in-place updates", .timeLimit(.minutes(10)))
struct ParallelSurfaceTests {
    @Test("same results as the sequential code", arguments: ParallelSizes.all)
    func sameAsSequential(count: Int) {
        expectSurfaceSameAsSequential(sampleValues(count))
    }

    @Test("random arrays (property)")
    func randomArrays() async {
        await propertyCheck(count: 30, input: Gen.int(in: -1_000...1_000).array(of: 0...3_000)) { values in
            expectSurfaceSameAsSequential(values)
        }
    }

    @Test("a pool of one thread gives the same results")
    func oneThread() throws {
        let pool = try ComputePool(threads: 1, name: "t-surf1")
        pool.install { expectSurfaceSameAsSequential(sampleValues(10_000, seed: 5)) }
    }

    @Test("the default split uses the pool; minimumSplit(count) keeps the input in one piece")
    func splitting() throws {
        let pool = try ComputePool(threads: 2, name: "t-split")
        let values = sampleValues(100_000)
        #expect(pool.install { pieceSizes(values.parallel) }.count > 1)
        #expect(pool.install { pieceSizes(values.parallel.minimumSplit(values.count)) } == [values.count])
    }

    @Test("parallelUpdate keeps indices on a slice and writes back a collection without contiguous storage")
    func updateIndicesAndCopies() {
        let values = sampleValues(5_000, seed: 9)
        var slice = values[100..<4_100]
        slice.parallelUpdate { index, element in element = index }
        #expect(Array(slice) == Array(100..<4_100))
        var other = NonContiguous(storage: values)
        other.parallelUpdate { $0 = -$0 }
        #expect(other.storage == values.map { -$0 })
        var empty: [Int] = []
        empty.parallelUpdate { $0 += 1 }
        #expect(empty.isEmpty)
    }

    @Test("parallelUpdate touches each element exactly once")
    func updateOnce() throws {
        let pool = try ComputePool(threads: 2, name: "t-upd1")
        let counts = pool.install { () -> [Int] in
            var counts = [Int](repeating: 0, count: ParallelSizes.large)
            counts.parallelUpdate { $0 += 1 }
            return counts
        }
        #expect(counts.allSatisfy { $0 == 1 })
    }

    @Test("errors: the earliest error in collection order is rethrown, and the rest of the work stops")
    func errors() throws {
        let pool = try ComputePool(threads: 2, name: "t-surferr")
        let n = ParallelSizes.large
        for failing in [0, 1, n / 2, n - 1] {
            #expect(throws: TestError(id: failing)) {
                try pool.install {
                    try (0..<n).parallel.reduce(into: 0) { (sum, x) throws(TestError) in
                        if x == failing { throw TestError(id: x) }
                        sum &+= x
                    } combine: { (sum: inout Int, other: Int) throws(TestError) in
                        sum &+= other
                    }
                }
            }
            let (error, values) = pool.install { () -> (TestError?, [Int]) in
                var values = Array(0..<n)
                do throws(TestError) {
                    try values.parallelUpdate { (x) throws(TestError) in
                        if x == failing { throw TestError(id: x) }
                        x = -x
                    }
                    return (nil, values)
                } catch {
                    return (error, values)
                }
            }
            #expect(error == TestError(id: failing))
            // Each element is either updated or untouched, never anything else.
            #expect(values.enumerated().allSatisfy { $1 == $0 || $1 == -$0 })
            #expect(throws: TestError(id: failing)) {
                try pool.install {
                    try (0..<n).parallel.enumerated().map { (pair) throws(TestError) -> Int in
                        if pair.offset == failing { throw TestError(id: pair.offset) }
                        return pair.element
                    }
                }
            }
        }
        // When several elements fail, the error of an earlier one wins over a later one in the same piece order.
        do throws(TestError) {
            _ = try pool.install { () throws(TestError) in
                try (0..<n).parallel.minimumSplit(n).reduce(into: 0) { (sum, x) throws(TestError) in
                    if x % 1_000 == 999 { throw TestError(id: x) }
                    sum &+= x
                } combine: { (sum: inout Int, other: Int) throws(TestError) in
                    sum &+= other
                }
            }
            Issue.record("reduce(into:) did not throw")
        } catch {
            #expect(error.id == 999)  // One piece: the sequential order decides.
        }
    }

    @Test("the awaited reduce(into:) gives the same result and leaves the calling thread free")
    func awaited() async {
        let values = sampleValues(50_000)
        let sum = await values.parallel.reduce(into: 0) {
            $0 &+= $1
        } combine: {
            $0 &+= $1
        }
        #expect(sum == values.reduce(0, &+))
    }

    @Test("a running leaf hands what it has left to a thread that ran out of work (lazy splitting)")
    func leafSplitsForAnIdleThread() throws {
        // One leaf over the whole range on worker A of a 2-thread pool, called directly so that no eager split gives
        // worker B anything. The first piece waits until B has gone to sleep; every later piece on A waits until a
        // piece ran on another thread. Only a leaf that splits its rest for B gets past that: without lazy
        // splitting A runs every piece itself and the wait runs out.
        let pool = try ComputePool(threads: 2, name: "t-lazy")
        let registry = pool.registry
        let n = 64 * 1_024
        let otherRan = Flag()
        let (pieces, sawSleeper) = pool.install { () -> ([(Range<Int>, Int)], Bool) in
            let first = WorkerThread.current!.index
            var sawSleeper = false
            var gaveUp = false  // After one wait has run out, later pieces do not wait again.
            let pieces = runLeaf(0..<n, minimumLength: 1_024, in: registry) { range -> [(Range<Int>, Int)] in
                let worker = WorkerThread.current!.index
                if range.lowerBound == 0 {
                    sawSleeper = waitBounded { registry.sleep.sleepers.load(ordering: .relaxed) > 0 }
                } else if worker == first && !gaveUp {
                    gaveUp = !waitBounded { otherRan.isSet }
                } else {
                    otherRan.set()
                }
                return [(range, worker)]
            } combine: { left, right in
                left + right
            }
            return (pieces, sawSleeper)
        }
        #expect(sawSleeper)
        #expect(otherRan.isSet, "no piece ran on another thread: \(pieces.map { "\($0.0): \($0.1)" })")
        // In order, covering the range once, none shorter than the minimum.
        #expect(pieces.map(\.0.lowerBound) == [0] + pieces.dropLast().map(\.0.upperBound))
        #expect(pieces.last?.0.upperBound == n)
        #expect(pieces.allSatisfy { $0.0.count >= 1_024 })
    }
}

/// Polls `condition` (yielding the CPU between looks) until it holds or 30 s pass; returns whether it held. For
/// states no one signals (a worker going to sleep); the bound only ends a test that would otherwise hang.
private func waitBounded(_ condition: () -> Bool) -> Bool {
    let deadline = ContinuousClock.now + .seconds(30)
    while !condition() {
        if ContinuousClock.now > deadline { return false }
        sched_yield()
    }
    return true
}
