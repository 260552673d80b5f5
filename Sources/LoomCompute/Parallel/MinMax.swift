import LoomSystem

extension ParallelView {
    /// Returns the minimum element, as `base.min(by:)` does: among equal minimal elements, the first one.
    ///
    /// ```swift
    /// let youngest = people.parallel.min { $0.age < $1.age }
    /// ```
    ///
    /// - Parameter areInIncreasingOrder: a strict weak ordering, called on any thread of the pool.
    /// - Returns: the first minimal element, or `nil` if the collection is empty.
    /// - Throws: the error `areInIncreasingOrder` threw for the earliest elements among those it was called with.
    /// - Complexity: O(*n*) comparisons, spread over the pool's threads.
    @inlinable
    public func min<E: Error>(
        by areInIncreasingOrder: @Sendable (Base.Element, Base.Element) throws(E) -> Bool
    ) throws(E) -> Base.Element? {
        // Sequentially, an element replaces the running minimum only when strictly smaller; so of two partial
        // minimums, the right one wins only when strictly smaller.
        try self.extremum { (candidate, current) throws(E) in try areInIncreasingOrder(candidate, current) }
    }

    /// Returns the maximum element, as `base.max(by:)` does: among equal maximal elements, the first one.
    ///
    /// ```swift
    /// let oldest = people.parallel.max { $0.age < $1.age }
    /// ```
    ///
    /// - Parameter areInIncreasingOrder: a strict weak ordering, called on any thread of the pool.
    /// - Returns: the first maximal element, or `nil` if the collection is empty.
    /// - Throws: the error `areInIncreasingOrder` threw for the earliest elements among those it was called with.
    /// - Complexity: O(*n*) comparisons, spread over the pool's threads.
    @inlinable
    public func max<E: Error>(
        by areInIncreasingOrder: @Sendable (Base.Element, Base.Element) throws(E) -> Bool
    ) throws(E) -> Base.Element? {
        // Sequentially, an element replaces the running maximum only when strictly greater (the standard library's
        // `areInIncreasingOrder(result, e)`); so of two partial maximums, the right one wins only when strictly
        // greater.
        try self.extremum { (candidate, current) throws(E) in try areInIncreasingOrder(current, candidate) }
    }

    /// The element that survives `replaces(candidate, current)` applied left to right, as a sequential scan.
    @inlinable
    func extremum<E: Error>(
        _ replaces: (Base.Element, Base.Element) throws(E) -> Bool
    ) throws(E) -> Base.Element? {
        try self.fold(start: { nil as Base.Element? }) { (best, element) throws(E) in
            if let current = best {
                if try replaces(element, current) { best = element }
            } else {
                best = element
            }
        } merge: { (a, b) throws(E) in
            guard let a else { return b }
            guard let b else { return a }
            return try replaces(b, a) ? b : a
        }
    }
}

extension ParallelView where Base.Element: Comparable {
    /// Returns the minimum element, as `base.min()` does: among equal minimal elements, the first one.
    ///
    /// ```swift
    /// let lowest = readings.parallel.min()
    /// ```
    ///
    /// - Returns: the first minimal element, or `nil` if the collection is empty.
    /// - Complexity: O(*n*) comparisons, spread over the pool's threads.
    @inlinable
    public func min() -> Base.Element? {
        self.min { $0 < $1 }
    }

    /// Returns the maximum element, as `base.max()` does: among equal maximal elements, the first one.
    ///
    /// ```swift
    /// let highest = readings.parallel.max()
    /// ```
    ///
    /// - Returns: the first maximal element, or `nil` if the collection is empty.
    /// - Complexity: O(*n*) comparisons, spread over the pool's threads.
    @inlinable
    public func max() -> Base.Element? {
        self.max { $0 < $1 }
    }
}
