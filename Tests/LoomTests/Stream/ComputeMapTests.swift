import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// A base sequence of 0..<count that counts how many elements were pulled.
private struct CountingSequence: AsyncSequence, Sendable {
    typealias Element = Int
    let count: Int
    let pulls: Counter

    struct AsyncIterator: AsyncIteratorProtocol {
        var next = 0
        let count: Int
        let pulls: Counter
        mutating func next() async -> Int? {
            guard self.next < self.count else { return nil }
            self.pulls.increment()
            defer { self.next += 1 }
            return self.next
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(count: self.count, pulls: self.pulls) }
}

@Suite("computeMap", .timeLimit(.minutes(10)))
struct ComputeMapTests {
    @Test("the documented examples: results in input order, with and without maxConcurrency")
    func apiExamples() throws {
        let runtime = try LoomRuntime.forTests("cm", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        let numbers = CountingSequence(count: 200, pulls: Counter())
        let (first, out) = try runtime.blockOn { () async throws -> ([Int], [Int]) in
            var first: [Int] = []
            for try await y in numbers.computeMap({ n in (0..<n).reduce(0) { $0 + $1 * $1 } }) { first.append(y) }
            let out = try await numbers.computeMap(maxConcurrency: 4) { $0 * 3 }.reduce(into: []) { $0.append($1) }
            return (first, out)
        }
        #expect(first == (0..<200).map { n in (0..<n).reduce(0) { $0 + $1 * $1 } })
        #expect(out == (0..<200).map { $0 * 3 })
    }

    @Test("order is kept when later elements finish first", arguments: [1, 2, 3, 8])
    func orderUnderSkew(maxConcurrency: Int) throws {
        let runtime = try LoomRuntime.forTests("skew", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        let n = 300
        let result = try runtime.blockOn { () async throws -> [Int] in
            // Early elements take much longer than later ones.
            try await CountingSequence(count: n, pulls: Counter())
                .computeMap(maxConcurrency: maxConcurrency) { i in
                    var x = i
                    for _ in 0..<((n - i) * 200) { x = (x &* 31) &+ 7 }
                    return x == .min ? -1 : i
                }
                .reduce(into: []) { $0.append($1) }
        }
        #expect(result == Array(0..<n))
    }

    @Test("backpressure: the base is not pulled ahead of the consumer (one in flight), or more than n ahead")
    func backpressure() throws {
        let runtime = try LoomRuntime.forTests("bp", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        for maxConcurrency in [1, 3] {
            let pulls = Counter()
            let ok = try runtime.blockOn { () async throws -> Bool in
                var iterator = CountingSequence(count: 50, pulls: pulls)
                    .computeMap(maxConcurrency: maxConcurrency) { $0 }.makeAsyncIterator()
                var consumed = 0
                while let value = try await iterator.next() {
                    consumed += 1
                    guard value == consumed - 1 else { return false }
                    // At most `maxConcurrency` elements beyond those consumed were pulled.
                    guard pulls.count <= consumed + maxConcurrency - 1 else { return false }
                    if maxConcurrency == 1 && pulls.count != consumed { return false }
                }
                return consumed == 50
            }
            #expect(ok)
        }
    }

    @Test("a thrown error ends the sequence after the results before it", arguments: [1, 4])
    func errors(maxConcurrency: Int) throws {
        let runtime = try LoomRuntime.forTests("cme", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        let (received, error) = runtime.blockOn { () async -> ([Int], (any Error)?) in
            var received: [Int] = []
            var iterator = CountingSequence(count: 100, pulls: Counter())
                .computeMap(maxConcurrency: maxConcurrency) { n -> Int in
                    if n == 10 { throw TestError(id: n) }
                    return n
                }
                .makeAsyncIterator()
            do {
                while let value = try await iterator.next() { received.append(value) }
                return (received, nil)
            } catch {
                // The sequence has ended.
                let after = try? await iterator.next()
                return (received + (after.flatMap { $0 }.map { [$0] } ?? []), error)
            }
        }
        #expect(received == Array(0..<10))
        #expect(error as? TestError == TestError(id: 10))
        runtime.blockUntilIdle()
        #expect(runtime.computeTasksInFlight == 0)
    }

    @Test("cancelling the consumer stops pulling from the base sequence", arguments: [1, 3])
    func cancellation(maxConcurrency: Int) throws {
        let runtime = try LoomRuntime.forTests("cmc", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        let pulls = Counter()
        let (consumed, pulledAtCancel, pulledAtEnd) = runtime.blockOn { () async -> (Int, Int, Int) in
            let task = runtime.spawnAsync { () async -> (Int, Int, Int) in
                var consumed = 0
                var pulledAtCancel = 0
                do {
                    for try await _ in CountingSequence(count: 10_000, pulls: pulls)
                        .computeMap(maxConcurrency: maxConcurrency, { $0 })
                    {
                        consumed += 1
                        if consumed == 20 {
                            withUnsafeCurrentTask { $0?.cancel() }
                            pulledAtCancel = pulls.count
                        }
                    }
                } catch {}
                return (consumed, pulledAtCancel, pulls.count)
            }
            return await task.value
        }
        #expect(consumed < 10_000)
        #expect(pulledAtEnd == pulledAtCancel)  // nothing pulled after the cancellation
        #expect(consumed <= pulledAtCancel)
    }

    @Test("computeMap(on:) works from outside any runtime")
    func explicitRuntime() async throws {
        let runtime = try LoomRuntime.forTests("cmo")
        defer { runtime.close() }
        let values = try await CountingSequence(count: 10, pulls: Counter())
            .computeMap(on: runtime) { $0 + 1 }
            .reduce(into: []) { $0.append($1) }
        #expect(values == Array(1...10))
    }

    @Test("the empty sequence yields nothing", arguments: [1, 5])
    func empty(maxConcurrency: Int) throws {
        let runtime = try LoomRuntime.forTests("cm0")
        defer { runtime.close() }
        let values = try runtime.blockOn {
            try await CountingSequence(count: 0, pulls: Counter())
                .computeMap(maxConcurrency: maxConcurrency) { $0 }
                .reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values.isEmpty)
    }

    @Test("dropping the iterator with work in flight frees nothing a job still uses")
    func dropMidway() throws {
        let runtime = try LoomRuntime.forTests("cmd", asyncThreads: 1, computeThreads: 2)
        defer { runtime.close() }
        for _ in 0..<50 {
            try runtime.blockOn { () async throws in
                var iterator = CountingSequence(count: 100, pulls: Counter())
                    .computeMap(maxConcurrency: 8) { n -> [Int] in Array(repeating: n, count: 100) }
                    .makeAsyncIterator()
                _ = try await iterator.next()
            }  // iterator dropped here with up to 7 transforms in flight
        }
        runtime.blockUntilIdle()
        #expect(runtime.computeTasksInFlight == 0)
    }
}
