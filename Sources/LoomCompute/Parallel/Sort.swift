import LoomSystem

extension MutableCollection where Self: RandomAccessCollection, Element: Sendable {
    /// Sorts the collection in place, in parallel, in ascending order; the sort is stable.
    ///
    /// A parallel merge sort: pieces of the collection are sorted with the standard library's `sort()` on the
    /// threads of the pool, then merged pairwise, each merge itself split by binary search so that the last
    /// merges use every thread too. The result is the same as `sort()`'s, ties included.
    ///
    /// ```swift
    /// var values = (0..<10_000_000).map { _ in UInt64.random(in: .min ... .max) }
    /// values.parallelSort()
    /// ```
    ///
    /// The work runs on the pool of the calling compute worker, or on ``ComputePool/shared`` from any other thread
    /// (which blocks until it is done). Collections of up to a few thousand elements are sorted on the calling
    /// thread. Collections without contiguous storage are copied into an array, sorted and copied back.
    ///
    /// - Complexity: O(*n* log *n*) comparisons, spread over the pool's threads; O(*n*) extra memory (one scratch
    ///   buffer the size of the collection).
    @inlinable
    public mutating func parallelSort() where Element: Comparable {
        _ = self.parallelSort(order: AscendingOrder<Element>())
    }

    /// Sorts the collection in place, in parallel, using `areInIncreasingOrder`; the sort is stable.
    ///
    /// Same algorithm and result as ``parallelSort()``, and as `sort(by:)` with the same predicate (equal elements
    /// keep their order).
    ///
    /// ```swift
    /// people.parallelSort { $0.age < $1.age }   // people of the same age stay in their order
    /// ```
    ///
    /// - Parameter areInIncreasingOrder: a strict weak ordering, called on any thread of the pool.
    /// - Throws: an error `areInIncreasingOrder` threw (the earliest in collection order among those that met,
    ///   when several threads fail). Work not yet started is skipped. The collection then holds the same elements
    ///   as before, each exactly once, in an unspecified order: nothing is lost or duplicated.
    /// - Complexity: O(*n* log *n*) comparisons, spread over the pool's threads; O(*n*) extra memory.
    @inlinable
    public mutating func parallelSort<E: Error>(
        by areInIncreasingOrder: @Sendable (Element, Element) throws(E) -> Bool
    ) throws(E) {
        let failure = withoutActuallyEscaping(areInIncreasingOrder) { comparator in
            self.parallelSort(order: ClosureOrder(comparator))
        }
        if let failure { throw failure }
    }

    /// Sorts the collection in place, in parallel, in ascending order of `key(element)`; the sort is stable (rayon's
    /// `par_sort_by_key`).
    ///
    /// `key` runs twice per comparison, so keep it cheap (a stored property, a field of a tuple); for a key that
    /// costs work to compute, use ``parallelSort(byCachedKey:)``.
    ///
    /// ```swift
    /// orders.parallelSort(byKey: \.placedAt)
    /// ```
    ///
    /// - Parameter key: the value to sort by; called on any thread of the pool.
    /// - Throws: an error `key` threw, as ``parallelSort(by:)`` does.
    /// - Complexity: O(*n* log *n*) comparisons, spread over the pool's threads; O(*n*) extra memory.
    @inlinable
    public mutating func parallelSort<Key: Comparable & Sendable, E: Error>(
        byKey key: @Sendable (Element) throws(E) -> Key
    ) throws(E) {
        try self.parallelSort { (a, b) throws(E) -> Bool in try key(a) < key(b) }
    }

    /// Sorts the collection in place, in parallel, in ascending order of `key(element)`, computing each element's key
    /// once (in parallel) instead of at every comparison; the sort is stable (rayon's `par_sort_by_cached_key`).
    ///
    /// ```swift
    /// documents.parallelSort(byCachedKey: { $0.title.lowercased() })
    /// ```
    ///
    /// - Parameter key: the value to sort by; called once per element, on any thread of the pool.
    /// - Throws: the error `key` threw for the earliest element among those it was called with; the collection is then
    ///   unchanged.
    /// - Complexity: O(*n*) calls to `key` and O(*n* log *n*) comparisons of keys, spread over the pool's threads;
    ///   O(*n*) extra memory for the keys and a copy of the elements.
    @inlinable
    public mutating func parallelSort<Key: Comparable & Sendable, E: Error>(
        byCachedKey key: @Sendable (Element) throws(E) -> Key
    ) throws(E) {
        var keyed = try Array(self).parallel.map { (element) throws(E) -> (key: Key, element: Element) in
            (try key(element), element)
        }
        keyed.parallelSort { $0.key < $1.key }
        var index = self.startIndex
        for pair in keyed {
            self[index] = pair.element
            self.formIndex(after: &index)
        }
    }

    /// Sorts the contiguous storage in place, or a copy of the elements that is then written back.
    @inlinable
    mutating func parallelSort<Order: SortOrder>(order: Order) -> Order.Failure? where Order.Element == Element {
        self.withMutableBufferOrCopy { parallelMergeSort($0, order) }
    }
}

extension ParallelView where Base.Element: Comparable {
    /// Returns the elements sorted in ascending order, sorted in parallel; the sort is stable.
    ///
    /// ```swift
    /// let ranked = scores.parallel.sorted()
    /// ```
    ///
    /// - Returns: the same array as `base.sorted()`.
    /// - Complexity: O(*n* log *n*) comparisons, spread over the pool's threads (see
    ///   ``Swift/MutableCollection/parallelSort()``); O(*n*) extra memory besides the result.
    @inlinable
    public func sorted() -> [Base.Element] {
        var elements = Array(self.base)
        elements.parallelSort()
        return elements
    }
}

extension ParallelView {
    /// Returns the elements sorted by `areInIncreasingOrder`, sorted in parallel; the sort is stable.
    ///
    /// ```swift
    /// let byAge = people.parallel.sorted { $0.age < $1.age }
    /// ```
    ///
    /// - Parameter areInIncreasingOrder: a strict weak ordering, called on any thread of the pool.
    /// - Returns: the same array as `base.sorted(by:)`, equal elements in their original order.
    /// - Throws: an error `areInIncreasingOrder` threw; no partial result is returned.
    /// - Complexity: O(*n* log *n*) comparisons, spread over the pool's threads (see
    ///   ``Swift/MutableCollection/parallelSort(by:)``); O(*n*) extra memory besides the result.
    @inlinable
    public func sorted<E: Error>(
        by areInIncreasingOrder: @Sendable (Base.Element, Base.Element) throws(E) -> Bool
    ) throws(E) -> [Base.Element] {
        var elements = Array(self.base)
        try elements.parallelSort(by: areInIncreasingOrder)
        return elements
    }
}

/// A comparison plus the sequential sort used for the leaves: the standard library's `sort()` for `Comparable`
/// elements (so `parallelSort()` gets exactly the code `sort()` gets), `sort(by:)` for a closure.
@usableFromInline
protocol SortOrder {
    associatedtype Element
    associatedtype Failure: Error
    func areInIncreasingOrder(_ a: Element, _ b: Element) throws(Failure) -> Bool
    /// Sorts `buffer` stably. A comparator that can throw also gives up when `state` says the operation
    /// stopped, returning `false`. On failure or when stopped, the buffer holds its elements in some order.
    func sort(_ buffer: UnsafeMutableBufferPointer<Element>, state: ParallelState) throws(Failure) -> Bool
}

@usableFromInline
struct AscendingOrder<Element: Comparable>: SortOrder {
    @usableFromInline
    typealias Failure = Never

    @inlinable
    init() {}

    @inlinable
    func areInIncreasingOrder(_ a: Element, _ b: Element) -> Bool { a < b }

    @inlinable
    func sort(_ buffer: UnsafeMutableBufferPointer<Element>, state: ParallelState) -> Bool {
        var buffer = buffer
        buffer.sort()
        return true
    }
}

@usableFromInline
struct ClosureOrder<Element, Failure: Error>: SortOrder {
    @usableFromInline
    let closure: (Element, Element) throws(Failure) -> Bool

    @inlinable
    init(_ closure: @escaping (Element, Element) throws(Failure) -> Bool) { self.closure = closure }

    @inlinable
    func areInIncreasingOrder(_ a: Element, _ b: Element) throws(Failure) -> Bool { try self.closure(a, b) }

    @inlinable
    func sort(_ buffer: UnsafeMutableBufferPointer<Element>, state: ParallelState) throws(Failure) -> Bool {
        var buffer = buffer
        guard ParallelState.canFail(Failure.self) else {
            buffer.sort(by: { a, b in try! self.closure(a, b) })
            return true
        }
        // The standard library's sort leaves the buffer a permutation of its elements when the predicate
        // throws (its merges restore their buffer on the way out), so it can be abandoned at any comparison.
        do {
            try buffer.sort { a, b in
                if state.isStopped { throw SortStopped() }
                return try self.closure(a, b)
            }
            return true
        } catch is SortStopped {
            return false
        } catch {
            throw error as! Failure  // Only the closure throws anything else, and it throws `Failure`.
        }
    }
}

/// Thrown through the standard library's sort to abandon a leaf when another part of the sort failed.
@usableFromInline
struct SortStopped: Error {
    @inlinable
    init() {}
}
