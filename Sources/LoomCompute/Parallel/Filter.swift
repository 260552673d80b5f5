import LoomSystem

extension ParallelView {
    /// Returns the elements that satisfy `isIncluded`, in collection order.
    ///
    /// ```swift
    /// let evens = (0..<1_000_000).parallel.filter { $0 % 2 == 0 }
    /// ```
    ///
    /// - Parameter isIncluded: called once per element, on any thread of the pool, in no particular order.
    /// - Returns: the included elements, like `base.filter(_:)` (an array).
    /// - Throws: the error `isIncluded` threw for the earliest element among those it was called with; the
    ///   remaining elements are skipped.
    /// - Complexity: O(*n*) calls to `isIncluded`, spread over the pool's threads; the included elements are copied
    ///   twice (into per-thread arrays, then into the result, in parallel).
    @inlinable
    public func filter<E: Error>(
        _ isIncluded: @Sendable (Base.Element) throws(E) -> Bool
    ) throws(E) -> [Base.Element] {
        try self.collect { (element, output: inout [Base.Element]) throws(E) in
            if try isIncluded(element) { output.append(element) }
        }
    }
}
