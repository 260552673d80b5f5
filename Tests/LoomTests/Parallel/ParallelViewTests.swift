import PropertyBased
import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Checks every `.parallel` operation against its sequential counterpart on `input`.
private func expectSameAsSequential<C: RandomAccessCollection & Sendable>(
    _ input: C,
    sourceLocation: SourceLocation = #_sourceLocation
) where C.Element == Int {
    let parallel = input.parallel
    #expect(parallel.map { $0 &* 3 &+ 1 } == input.map { $0 &* 3 &+ 1 }, sourceLocation: sourceLocation)
    #expect(
        parallel.compactMap { $0 % 3 == 0 ? nil : String($0) } == input.compactMap { $0 % 3 == 0 ? nil : String($0) },
        sourceLocation: sourceLocation
    )
    #expect(
        parallel.flatMap { Array(repeating: $0, count: $0 & 3) }
            == input.flatMap { Array(repeating: $0, count: $0 & 3) },
        sourceLocation: sourceLocation
    )
    #expect(parallel.filter { $0 % 2 == 0 } == input.filter { $0 % 2 == 0 }, sourceLocation: sourceLocation)

    let sum = Atomic<Int>(0)
    let calls = Atomic<Int>(0)
    parallel.forEach { element in
        sum.wrappingAdd(element, ordering: .relaxed)
        calls.wrappingAdd(1, ordering: .relaxed)
    }
    #expect(sum.load(ordering: .relaxed) == input.reduce(0, &+), sourceLocation: sourceLocation)
    #expect(calls.load(ordering: .relaxed) == input.count, sourceLocation: sourceLocation)

    #expect(parallel.reduce(0) { $0 &+ $1 } == input.reduce(0, &+), sourceLocation: sourceLocation)
    // Associative but not commutative: partial results must be combined in order.
    #expect(parallel.reduce(-1) { a, b in b == -1 ? a : b } == input.reduce(-1) { a, b in b == -1 ? a : b })

    #expect(parallel.min() == input.min(), sourceLocation: sourceLocation)
    #expect(parallel.max() == input.max(), sourceLocation: sourceLocation)
    #expect(parallel.min { $0 > $1 } == input.min(by: >), sourceLocation: sourceLocation)
    #expect(parallel.max { $0 > $1 } == input.max(by: >), sourceLocation: sourceLocation)

    let last = input.last ?? 0
    #expect(parallel.contains { $0 == last } == input.contains { $0 == last }, sourceLocation: sourceLocation)
    #expect(parallel.contains { $0 < 0 } == input.contains { $0 < 0 }, sourceLocation: sourceLocation)
    #expect(parallel.allSatisfy { $0 >= 0 } == input.allSatisfy { $0 >= 0 }, sourceLocation: sourceLocation)
    #expect(parallel.allSatisfy { $0 != last } == input.allSatisfy { $0 != last }, sourceLocation: sourceLocation)
    #expect(parallel.first { $0 % 97 == 96 } == input.first { $0 % 97 == 96 }, sourceLocation: sourceLocation)
    #expect(parallel.first { $0 < 0 } == input.first { $0 < 0 }, sourceLocation: sourceLocation)
    #expect(parallel.count { $0 % 3 == 1 } == input.count { $0 % 3 == 1 }, sourceLocation: sourceLocation)

    #expect(parallel.sorted() == input.sorted(), sourceLocation: sourceLocation)
    #expect(parallel.sorted { $0 > $1 } == input.sorted(by: >), sourceLocation: sourceLocation)
}

@Suite("Parallel operations return what their sequential counterparts return", .timeLimit(.minutes(10)))
struct ParallelViewTests {
    @Test("on an Array", arguments: ParallelSizes.all)
    func onArray(count: Int) {
        expectSameAsSequential(sampleValues(count))
    }

    @Test("on a million-element Array")
    func onMillionElementArray() {
        expectSameAsSequential(sampleValues(ParallelSizes.million))
    }

    @Test("on a Range", arguments: ParallelSizes.all)
    func onRange(count: Int) {
        expectSameAsSequential(5..<(5 + count))
    }

    @Test("on an ArraySlice that does not start at zero", arguments: ParallelSizes.all)
    func onSlice(count: Int) {
        let values = sampleValues(count + 20, seed: 3)
        let slice = values[13..<(13 + count)]
        #expect(slice.startIndex == 13)
        expectSameAsSequential(slice)
    }

    @Test("random arrays (property)")
    func randomArrays() async {
        await propertyCheck(count: 40, input: Gen.int(in: -1_000...1_000).array(of: 0...5_000)) { values in
            expectSameAsSequential(values)
        }
    }

    @Test("min and max pick the same element as the standard library among ties", arguments: [1, 2, 1_001, 100_000])
    func minMaxTies(count: Int) {
        let values = taggedValues(count, keys: 5)
        #expect(values.parallel.min()?.id == values.min()?.id)
        #expect(values.parallel.max()?.id == values.max()?.id)
        #expect(values.parallel.min { $0.key < $1.key }?.id == values.min { $0.key < $1.key }?.id)
        #expect(values.parallel.max { $0.key < $1.key }?.id == values.max { $0.key < $1.key }?.id)
        // The standard library's rule, which the parallel versions follow: the first minimal and the first maximal
        // element (an element replaces the running extremum only when strictly better).
        let minimum = values.map(\.key).min()!
        let maximum = values.map(\.key).max()!
        #expect(values.min()?.id == values.first { $0.key == minimum }?.id)
        #expect(values.max()?.id == values.first { $0.key == maximum }?.id)
    }

    @Test("reduce combines partial results in order (a non-commutative operation)")
    func reduceInOrder() {
        let words = (0..<5_000).map { String($0 % 10) }
        #expect(words.parallel.reduce("") { $0 + $1 } == words.reduce("", +))
    }

    @Test("examples from the API compile and run")
    func apiExamples() throws {
        let pool = try ComputePool(threads: 2, name: "t-api")
        let r = pool.install { (0..<1_000_000).parallel.map { $0 &* 3 }.reduce(0, &+) }
        #expect(r == (0..<1_000_000).reduce(0) { $0 &+ $1 &* 3 })
        let data = [1, 2, 3]
        let doubled = pool.install { data.parallel.map { $0 * 2 } }
        #expect(doubled == [2, 4, 6])
    }
}
