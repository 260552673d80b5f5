import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("parallelSort and sorted", .timeLimit(.minutes(10)))
struct ParallelSortTests {
    @Test("parallelSort matches sort() on arrays of every size", arguments: ParallelSizes.all + [4_096, 4_097, 8_193])
    func matchesSort(count: Int) {
        var values = sampleValues(count, modulo: Int.max)
        let expected = values.sorted()
        values.parallelSort()
        #expect(values == expected)
    }

    @Test("the sort is stable: ties keep their order, as with sort(by:)", arguments: [2, 1_001, 65_537, 300_000])
    func stable(count: Int) {
        var values = taggedValues(count, keys: 17)
        let expected = values.sorted { $0.key < $1.key }
        values.parallelSort { $0.key < $1.key }
        #expect(values.map(\.id) == expected.map(\.id))
        let viaComparable = taggedValues(count, keys: 17)
        #expect(viaComparable.parallel.sorted().map(\.id) == viaComparable.sorted().map(\.id))
        #expect(viaComparable.parallel.sorted { $0 > $1 }.map(\.id) == viaComparable.sorted(by: >).map(\.id))
    }

    @Test("already sorted, reversed and constant inputs")
    func patterns() {
        let n = 200_000
        var ascending = Array(0..<n)
        ascending.parallelSort()
        #expect(ascending == Array(0..<n))
        var descending = Array((0..<n).reversed())
        descending.parallelSort()
        #expect(descending == Array(0..<n))
        var constant = taggedValues(n, keys: 1)
        constant.parallelSort()
        #expect(constant.map(\.id) == Array(0..<n))
    }

    @Test("sorts an ArraySlice in place, not touching the rest of the array")
    func slice() {
        var values = sampleValues(100_020)
        let original = values
        values[7..<100_007].parallelSort { $0 > $1 }
        #expect(values[..<7] == original[..<7])
        #expect(values[100_007...] == original[100_007...])
        #expect(Array(values[7..<100_007]) == original[7..<100_007].sorted(by: >))
    }

    @Test("sorts a collection without contiguous storage")
    func nonContiguous() {
        var values = NonContiguous(storage: sampleValues(50_001))
        values.parallelSort()
        #expect(values.storage == sampleValues(50_001).sorted())
    }

    @Test(
        "a throwing comparator leaves every element exactly once and destroys nothing",
        arguments: [0, 1_000, 400_000, 1_300_000, 1_500_000, 1_700_000]
    )
    func throwingComparator(failAfter: Int) throws {
        let pool = try ComputePool(threads: 2, name: "t-psortthrow")
        let n = 100_000
        let live = Counter()
        var objects = sampleValues(n, modulo: 1_000).map { Tracked($0, live: live) }
        let identities = Set(objects.map(ObjectIdentifier.init))
        let comparisons = Counter()
        let threw = pool.install { () -> Bool in
            do {
                try objects.parallelSort { (a, b) throws(TestError) in
                    comparisons.increment()
                    if comparisons.count > failAfter { throw TestError(id: 1) }
                    return a.value < b.value
                }
                return false
            } catch {
                return true
            }
        }
        #expect(live.count == n)
        #expect(objects.count == n && Set(objects.map(ObjectIdentifier.init)) == identities)
        if !threw {
            #expect(objects.map(\.value) == sampleValues(n, modulo: 1_000).sorted())
        }
        if failAfter == 0 { #expect(threw) }
    }

    @Test("a throwing comparator's error reaches the caller and later steps are skipped")
    func throwingComparatorStopsEarly() {
        var values = sampleValues(ParallelSizes.large, modulo: Int.max)
        let poisoned = values[0]
        let comparisons = Counter()
        #expect(throws: TestError(id: 2)) {
            try values.parallelSort { (a, b) throws(TestError) in
                comparisons.increment()
                if a == poisoned || b == poisoned { throw TestError(id: 2) }
                return a < b
            }
        }
        // A full sort needs about n log2 n comparisons; leaves stop at their next comparison.
        #expect(comparisons.count < values.count * 2, "\(comparisons.count) comparisons for \(values.count) elements")
        #expect(values.sorted() == sampleValues(ParallelSizes.large, modulo: Int.max).sorted())
    }
}
