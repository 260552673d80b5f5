import LoomSystem

extension ParallelView {
    /// Returns the non-`nil` results of `transform` on each element, in collection order.
    ///
    /// ```swift
    /// let numbers = lines.parallel.compactMap { Int($0) }
    /// ```
    ///
    /// - Parameter transform: called once per element, on any thread of the pool, in no particular order.
    /// - Returns: the non-`nil` results, like `base.compactMap(_:)`.
    /// - Throws: the error `transform` threw for the earliest element among those it was called with; the
    ///   remaining elements are skipped and the results already built are destroyed.
    /// - Complexity: O(*n*) calls to `transform`, spread over the pool's threads; the results are copied twice
    ///   (into per-thread arrays, then into the result, in parallel).
    @inlinable
    public func compactMap<T: Sendable, E: Error>(
        _ transform: @Sendable (Base.Element) throws(E) -> T?
    ) throws(E) -> [T] {
        try self.collect { (element, output: inout [T]) throws(E) in
            if let value = try transform(element) { output.append(value) }
        }
    }
}
