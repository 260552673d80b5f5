import PropertyBased
import Synchronization
import Testing

@testable import Loom
@testable import LoomCompute
@testable import LoomSystem

/// A sequence that is not a collection: yields `0..<count`, counting what has been read.
private struct CountingSequence: Sequence, Sendable {
    let count: Int
    let read: Counter

    struct Iterator: IteratorProtocol {
        var position = 0
        let count: Int
        let read: Counter
        mutating func next() -> Int? {
            guard self.position < self.count else { return nil }
            defer { self.position += 1 }
            self.read.increment()
            return self.position
        }
    }

    func makeIterator() -> Iterator { Iterator(count: self.count, read: self.read) }
}

/// Every operation of `parallel(batchSize:)` against the sequential code on `input` read as a plain sequence.
private func expectBatchesSameAsSequential(
    _ input: [Int],
    batchSize: Int,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let sequence = AnySequenceBox(input)
    let batches = sequence.parallel(batchSize: batchSize)
    #expect(batches.map { $0 &* 3 } == input.map { $0 &* 3 }, sourceLocation: sourceLocation)
    #expect(
        batches.compactMap { $0 % 3 == 0 ? nil : $0 &+ 1 } == input.compactMap { $0 % 3 == 0 ? nil : $0 &+ 1 },
        sourceLocation: sourceLocation
    )
    #expect(batches.filter { $0 % 2 == 0 } == input.filter { $0 % 2 == 0 }, sourceLocation: sourceLocation)
    let collected = batches.reduce(into: [Int]()) {
        $0.append($1)
    } combine: {
        $0.append(contentsOf: $1)
    }
    #expect(collected == input, sourceLocation: sourceLocation)
    let sum = Counter()
    let visits = Counter()
    batches.forEach { value in
        visits.increment()
        sum.increment(by: value)
    }
    #expect(visits.count == input.count && sum.count == input.reduce(0, &+), sourceLocation: sourceLocation)
}

/// A plain sequence over an array (no random access), so the batch path is what runs.
private struct AnySequenceBox: Sequence, Sendable {
    let elements: [Int]
    init(_ elements: [Int]) { self.elements = elements }
    func makeIterator() -> IndexingIterator<[Int]> { self.elements.makeIterator() }
}

@Suite("Parallel batches of a Sequence, chunked in-place updates, key sorts", .timeLimit(.minutes(10)))
struct ParallelBatchesTests {
    @Test("batches give what the sequential code gives, in order", arguments: [0, 1, 2, 7, 1_001, 65_537])
    func sameAsSequential(count: Int) {
        for batchSize in [1, 3, 100, 4_096] {
            expectBatchesSameAsSequential(sampleValues(count), batchSize: batchSize)
        }
    }

    @Test("random sequences and batch sizes (property)")
    func randomSequences() async {
        await propertyCheck(
            count: 30,
            input: Gen.int(in: -1_000...1_000).array(of: 0...3_000),
            Gen.int(in: 1...300)
        ) { values, batchSize in
            expectBatchesSameAsSequential(values, batchSize: batchSize)
        }
    }

    @Test("the sequence is read once, lazily: never more than two waves ahead of the work")
    func boundedReadAhead() throws {
        let pool = try ComputePool(threads: 2, name: "t-batchra")
        let read = Counter()
        let batchSize = 10
        let waves = 2 * 4 * 2 * batchSize  // Two waves of four batches per thread.
        let worst = Counter()
        let processed = Counter()
        let n = 20_000
        let out = pool.install {
            CountingSequence(count: n, read: read).parallel(batchSize: batchSize).map { (x: Int) -> Int in
                let ahead = read.count - processed.count
                if ahead > worst.count { worst.increment(by: ahead - worst.count) }
                processed.increment()
                return x
            }
        }
        #expect(out == Array(0..<n))
        #expect(read.count == n)
        #expect(worst.count <= waves, "read \(worst.count) elements ahead of the work (bound \(waves))")
        pool.close()
    }

    @Test("batches run on the calling pool; a one-thread pool gives the same results")
    func placement() throws {
        let pool = try ComputePool(threads: 2, name: "t-batchpl")
        let registry = pool.registry
        let elsewhere = Counter()
        _ = pool.install {
            AnySequenceBox(Array(0..<10_000)).parallel(batchSize: 64).map { (x: Int) -> Int in
                if currentRegistry() !== registry { elsewhere.increment() }
                return x
            }
        }
        #expect(elsewhere.count == 0)
        let one = try ComputePool(threads: 1, name: "t-batch1")
        one.install { expectBatchesSameAsSequential(sampleValues(5_000, seed: 4), batchSize: 33) }
        pool.close()
        one.close()
    }

    @Test("errors: the earliest failing element's error, and reading stops after the batches in flight")
    func errors() throws {
        let pool = try ComputePool(threads: 2, name: "t-batcherr")
        let n = 200_000
        for failing in [0, 5, 12_345, n - 1] {
            let read = Counter()
            #expect(throws: TestError(id: failing)) {
                try pool.install { () throws(TestError) -> [Int] in
                    try CountingSequence(count: n, read: read).parallel(batchSize: 100).map { (x) throws(TestError) in
                        if x == failing || x == failing + 1 { throw TestError(id: x) }
                        return x
                    }
                }
            }
            if failing < 1_000 {
                #expect(read.count < n / 10, "read \(read.count) of \(n) elements after an early failure")
            }
        }
        pool.close()
    }

    @Test("a failed batch map leaks nothing it built, in earlier waves or the failing one")
    func noLeaks() throws {
        let pool = try ComputePool(threads: 2, name: "t-batchleak")
        let live = Counter()
        let n = 50_000
        for failing in [0, 999, 30_000, n - 1] {
            #expect(throws: TestError(id: failing)) {
                try pool.install { () throws(TestError) -> [Tracked] in
                    try CountingSequence(count: n, read: Counter()).parallel(batchSize: 64).map {
                        (x) throws(TestError) -> Tracked in
                        if x == failing { throw TestError(id: x) }
                        return Tracked(x, live: live)
                    }
                }
            }
            #expect(live.count == 0, "failing at \(failing)")
        }
        pool.close()
    }

    @Test("the awaited forms give the same results")
    func awaited() async {
        let input = sampleValues(20_000, seed: 2)
        let batches = AnySequenceBox(input).parallel(batchSize: 256)
        #expect(await batches.map { $0 &+ 1 } == input.map { $0 &+ 1 })
        #expect(await batches.filter { $0 > 500 } == input.filter { $0 > 500 })
        #expect(await batches.compactMap { $0 > 500 ? nil : $0 } == input.filter { $0 <= 500 })
        let total = await batches.reduce(into: 0) {
            $0 &+= $1
        } combine: {
            $0 &+= $1
        }
        #expect(total == input.reduce(0, &+))
        let visits = Counter()
        await batches.forEach { _ in visits.increment() }
        #expect(visits.count == input.count)
    }

    @Test("parallelUpdateChunks hands out disjoint spans that cover the collection once", arguments: [1, 3, 1_000])
    func updateChunks(chunk: Int) throws {
        let pool = try ComputePool(threads: 2, name: "t-uchunk\(chunk)")
        for count in [0, 1, 999, 1_000, 1_001, 250_000] {
            let values = sampleValues(count)
            let mismatches = Counter()
            let (updated, ranges) = pool.install { () -> ([Int], [Range<Int>]) in
                var copy = values
                let ranges = LockedValue<[Range<Int>]>([])
                copy.parallelUpdateChunks(ofCount: chunk) { indices, span in
                    ranges.withLock { $0.append(indices) }
                    if span.count != indices.count { mismatches.increment() }
                    for i in span.indices { span[i] = span[i] &* 2 &+ (indices.lowerBound + i) }
                }
                return (copy, ranges.withLock { $0 })
            }
            #expect(mismatches.count == 0)
            // The calls ran on the pool that called parallelUpdateChunks.
            let registry = pool.registry
            let elsewhere = Counter()
            pool.install {
                var copy = values
                copy.parallelUpdateChunks(ofCount: chunk) { _ in
                    if currentRegistry() !== registry { elsewhere.increment() }
                }
            }
            #expect(elsewhere.count == 0)
            #expect(updated == values.enumerated().map { $1 &* 2 &+ $0 }, "count \(count)")
            let sorted = ranges.sorted { $0.lowerBound < $1.lowerBound }
            #expect(sorted.count == (count + chunk - 1) / chunk)
            #expect(sorted.first?.lowerBound ?? 0 == 0 && sorted.last?.upperBound ?? 0 == count)
            #expect(zip(sorted, sorted.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
            #expect(sorted.dropLast().allSatisfy { $0.count == chunk })
        }
        pool.close()
    }

    @Test("parallelUpdateChunks: slices keep their indices, other collections are written back, errors stop it")
    func updateChunksIndicesAndErrors() throws {
        var slice = sampleValues(5_000, seed: 8)[100..<4_100]
        slice.parallelUpdateChunks(ofCount: 7) { indices, span in
            for i in span.indices { span[i] = indices.lowerBound + i }
        }
        #expect(Array(slice) == Array(100..<4_100))
        var other = NonContiguous(storage: Array(0..<3_000))
        other.parallelUpdateChunks(ofCount: 64) { (span: inout MutableSpan<Int>) in
            for i in span.indices { span[i] = -span[i] }
        }
        #expect(other.storage == (0..<3_000).map { -$0 })
        var values = Array(0..<100_000)
        #expect(throws: TestError(id: 3)) {
            try values.parallelUpdateChunks(ofCount: 1_000) { (indices, span) throws(TestError) in
                if indices.lowerBound / 1_000 == 3 || indices.lowerBound / 1_000 == 77 {
                    throw TestError(id: indices.lowerBound / 1_000)
                }
                for i in span.indices { span[i] = -span[i] }
            }
        }
        // Each element is either updated or untouched.
        #expect(values.enumerated().allSatisfy { $1 == $0 || $1 == -$0 })
    }

    @Test("parallelSort(byKey:) and parallelSort(byCachedKey:) are stable and match the sequential sort")
    func keySorts() throws {
        let pool = try ComputePool(threads: 2, name: "t-keysort")
        for count in [0, 1, 2, 1_000, 100_000] {
            let values = taggedValues(count, keys: 37)
            let expected = values.sorted { $0.key < $1.key }  // stable
            let calls = Counter()
            let (byKey, byCachedKey) = pool.install { () -> ([Tagged], [Tagged]) in
                var a = values
                a.parallelSort(byKey: { $0.key })
                var b = values
                b.parallelSort(byCachedKey: { (element: Tagged) -> Int in
                    calls.increment()
                    return element.key
                })
                return (a, b)
            }
            #expect(byKey.map(\.id) == expected.map(\.id), "count \(count)")
            #expect(byCachedKey.map(\.id) == expected.map(\.id), "count \(count)")
            #expect(calls.count == count, "the cached key is computed once per element")
        }
        var failing = Array(0..<10_000)
        #expect(throws: TestError(id: 5)) {
            try failing.parallelSort(byCachedKey: { (x) throws(TestError) -> Int in
                if x == 5 { throw TestError(id: 5) }
                return -x
            })
        }
        #expect(failing == Array(0..<10_000), "a failed cached-key sort leaves the collection unchanged")
        pool.close()
    }
}
