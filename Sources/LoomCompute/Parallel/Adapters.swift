// Views that change what a parallel operation visits: each element with its offset, pairs from two collections,
// or consecutive chunks. Each is a random-access collection of its own, so every `.parallel` operation (and its
// `async` form) works on it unchanged, and the adapters compose: `xs.parallel.zip(ys).enumerated().map { … }`.
import LoomSystem

extension ParallelView {
    /// A view of `(offset, element)` pairs, offsets counted from 0 as by `enumerated()`.
    ///
    /// ```swift
    /// let changed = new.parallel.enumerated().filter { $0.element != old[$0.offset] }.map(\.offset)
    /// ```
    ///
    /// - Complexity: O(1); each element is then reached in O(1).
    @inlinable
    public func enumerated() -> ParallelView<ParallelEnumerated<Base>> {
        ParallelView<ParallelEnumerated<Base>>(ParallelEnumerated(self.base))
    }

    /// A view of pairs of elements at the same offset in this collection and `other`, as many as the shorter has
    /// (as the standard library's `zip`).
    ///
    /// ```swift
    /// let dot = xs.parallel.zip(ys).reduce(into: 0.0) { $0 += $1.0 * $1.1 } combine: { $0 += $1 }
    /// ```
    ///
    /// - Parameter other: the second collection.
    /// - Complexity: O(1); each pair is then reached in O(1).
    @inlinable
    public func zip<Other: RandomAccessCollection & Sendable>(
        _ other: Other
    ) -> ParallelView<ParallelZip<Base, Other>> where Other.Element: Sendable {
        ParallelView<ParallelZip<Base, Other>>(ParallelZip(self.base, other))
    }

    /// A view of consecutive slices of `count` elements (the last one shorter when `count` does not divide the
    /// collection), so that each call of a closure gets a whole chunk: for work with per-call set-up, or to
    /// reduce a chunk with a plain loop the optimizer vectorises.
    ///
    /// ```swift
    /// let sums = samples.parallel.chunks(ofCount: 4_096).map { $0.reduce(0, +) }
    /// ```
    ///
    /// - Parameter count: the elements per chunk, at least 1.
    /// - Complexity: O(1); each chunk is then reached in O(1).
    @inlinable
    public func chunks(ofCount count: Int) -> ParallelView<ParallelChunks<Base>> where Base.SubSequence: Sendable {
        precondition(count >= 1, "chunks(ofCount: \(count)): a chunk needs at least 1 element")
        return ParallelView<ParallelChunks<Base>>(ParallelChunks(self.base, count: count))
    }
}

/// The elements of a collection with their offsets: ``ParallelView/enumerated()``.
public struct ParallelEnumerated<Base: RandomAccessCollection & Sendable>: RandomAccessCollection, Sendable
where Base.Element: Sendable {
    public typealias Element = (offset: Int, element: Base.Element)
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @usableFromInline
    let base: Base

    @inlinable
    init(_ base: Base) { self.base = base }

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int { self.base.count }

    @inlinable
    public subscript(position: Int) -> Element {
        (position, self.base[self.base.index(self.base.startIndex, offsetBy: position)])
    }
}

/// Pairs of elements at the same offset in two collections: ``ParallelView/zip(_:)``.
public struct ParallelZip<First: RandomAccessCollection & Sendable, Second: RandomAccessCollection & Sendable>:
    RandomAccessCollection, Sendable
where First.Element: Sendable, Second.Element: Sendable {
    public typealias Element = (First.Element, Second.Element)
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @usableFromInline
    let first: First
    @usableFromInline
    let second: Second
    @usableFromInline
    let pairs: Int

    @inlinable
    init(_ first: First, _ second: Second) {
        self.first = first
        self.second = second
        self.pairs = Swift.min(first.count, second.count)
    }

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int { self.pairs }

    @inlinable
    public subscript(position: Int) -> Element {
        (
            self.first[self.first.index(self.first.startIndex, offsetBy: position)],
            self.second[self.second.index(self.second.startIndex, offsetBy: position)]
        )
    }
}

/// Consecutive slices of a collection: ``ParallelView/chunks(ofCount:)``.
public struct ParallelChunks<Base: RandomAccessCollection & Sendable>: RandomAccessCollection, Sendable
where Base.SubSequence: Sendable {
    public typealias Element = Base.SubSequence
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @usableFromInline
    let base: Base
    /// Elements per chunk.
    @usableFromInline
    let size: Int

    @inlinable
    init(_ base: Base, count: Int) {
        self.base = base
        self.size = count
    }

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int {
        let count = self.base.count
        return count / self.size + (count % self.size == 0 ? 0 : 1)
    }

    @inlinable
    public subscript(position: Int) -> Base.SubSequence {
        let lower = position * self.size
        let upper = Swift.min(lower + self.size, self.base.count)
        let start = self.base.index(self.base.startIndex, offsetBy: lower)
        return self.base[start..<self.base.index(start, offsetBy: upper - lower)]
    }
}
