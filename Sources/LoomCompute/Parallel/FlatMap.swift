import LoomSystem

extension ParallelView {
    /// Returns the concatenation of the sequences `transform` returns for each element, in collection order.
    ///
    /// ```swift
    /// let words = lines.parallel.flatMap { $0.split(separator: " ") }
    /// ```
    ///
    /// - Parameter transform: called once per element, on any thread of the pool, in no particular order; each
    ///   sequence it returns is iterated on the same thread.
    /// - Returns: the elements of all the sequences, like `base.flatMap(_:)`.
    /// - Throws: the error `transform` threw for the earliest element among those it was called with; the
    ///   remaining elements are skipped and the results already built are destroyed.
    /// - Complexity: O(*n* + *m*), *m* the total length of the sequences, spread over the pool's threads; the
    ///   results are copied twice (into per-thread arrays, then into the result, in parallel).
    @inlinable
    public func flatMap<Segment: Sequence, E: Error>(
        _ transform: @Sendable (Base.Element) throws(E) -> Segment
    ) throws(E) -> [Segment.Element] where Segment.Element: Sendable {
        try self.collect { (element, output: inout [Segment.Element]) throws(E) in
            output.append(contentsOf: try transform(element))
        }
    }
}
