import Synchronization

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Input sizes for the "same result as sequential" tests: empty, one element, odd sizes around the leaf lengths,
/// and a quarter of a million (a fifth of that under ThreadSanitizer, which runs ~10× slower); CI machines with two
/// cores run the whole suite in parallel, so the sizes are kept to what checks the splitting, not more.
enum ParallelSizes {
    static let all: [Int] = [0, 1, 2, 7, 1_001, 4_097, 65_537, large]
    static let large = runningUnderThreadSanitizer ? 50_000 : 250_000
    /// A million elements for one Array check of every operation (a tenth of it under ThreadSanitizer).
    static let million = runningUnderThreadSanitizer ? 100_000 : 1_000_000
}

/// Deterministic pseudo-random values with many duplicates (so ties exist), from a 64-bit LCG.
func sampleValues(_ count: Int, seed: UInt64 = 1, modulo: Int = 1_000) -> [Int] {
    var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Int(truncatingIfNeeded: state >> 33) % modulo
    }
}

/// A value whose order looks only at `key`, so that equal keys with different `id`s show which element an
/// operation picked or where a sort put it.
struct Tagged: Comparable, Sendable, CustomStringConvertible {
    let key: Int
    let id: Int
    static func < (a: Tagged, b: Tagged) -> Bool { a.key < b.key }
    static func == (a: Tagged, b: Tagged) -> Bool { a.key == b.key && a.id == b.id }
    var description: String { "\(key)#\(id)" }
}

func taggedValues(_ count: Int, keys: Int = 50) -> [Tagged] {
    sampleValues(count, seed: 7, modulo: keys).enumerated().map { Tagged(key: $0.element, id: $0.offset) }
}

/// An object that counts its live instances, to prove that results built before a failure are destroyed.
final class Tracked: Sendable {
    let value: Int
    let live: Counter
    init(_ value: Int, live: Counter) {
        self.value = value
        self.live = live
        live.increment()
    }
    deinit { self.live.increment(by: -1) }
}

/// A mutable random-access collection without contiguous storage, to exercise `parallelSort`'s copying path.
struct NonContiguous<Element: Sendable>: MutableCollection, RandomAccessCollection, Sendable {
    var storage: [Element]
    var startIndex: Int { 0 }
    var endIndex: Int { self.storage.count }
    subscript(position: Int) -> Element {
        get { self.storage[position] }
        set { self.storage[position] = newValue }
    }
}

/// The registry of the worker running the caller, if any (for "where did it run" checks).
func currentRegistry() -> Registry? { WorkerThread.current?.registry }
