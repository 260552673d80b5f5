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
        let state = ParallelState()
        let result = self.drive { offsets -> Result<Int, E> in
            var count = 0
            do throws(E) {
                _ = try self.forEachElement(
                    in: offsets,
                    until: { _ in ParallelState.canFail(E.self) && state.isStopped }
                ) { _, element throws(E) in
                    if try predicate(element) { count += 1 }
                    return true
                }
                return .success(count)
            } catch {
                state.stop()
                return .failure(error)
            }
        } combine: { left, right in
            switch (left, right) {
            case (.success(let a), .success(let b)): .success(a + b)
            case (.failure, _): left
            case (_, .failure): right
            }
        }
        return try result.get()
    }
}
