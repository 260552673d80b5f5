import LoomSystem

extension ParallelView {
    /// Returns the number of elements that satisfy `predicate`.
    ///
    /// ```swift
    /// let primes = (0..<10_000_000).parallel.count { isPrime($0) }
    /// ```
    ///
    /// - Parameter predicate: called once per element, on any thread of the pool, in no particular order.
    /// - Returns: the count, like `base.count(where:)`.
    /// - Throws: the error `predicate` threw for the earliest element among those it was called with; the
    ///   remaining elements are skipped.
    /// - Complexity: O(*n*) calls to `predicate`, spread over the pool's threads.
    @inlinable
    public func count<E: Error>(where predicate: @Sendable (Base.Element) throws(E) -> Bool) throws(E) -> Int {
        try self.fold(start: { 0 }) { (count, element) throws(E) in
            if try predicate(element) { count += 1 }
        } merge: { (a, b) throws(E) in
            a + b
        }
    }
}
