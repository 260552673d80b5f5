import LoomSystem

extension ParallelView {
    /// Calls `body` on each element, in parallel.
    ///
    /// ```swift
    /// let hits = Counter()
    /// urls.parallel.forEach { if isCached($0) { hits.increment() } }
    /// ```
    ///
    /// - Parameter body: called once per element, on any thread of the pool, in no particular order.
    /// - Throws: the error `body` threw for the earliest element among those it was called with; the remaining
    ///   elements are skipped.
    /// - Complexity: O(*n*) calls to `body`, spread over the pool's threads.
    @inlinable
    public func forEach<E: Error>(_ body: @Sendable (Base.Element) throws(E) -> Void) throws(E) {
        let state = ParallelState()
        let failure = self.drive { offsets -> E? in
            do throws(E) {
                _ = try self.forEachElement(
                    in: offsets,
                    until: { _ in ParallelState.canFail(E.self) && state.isStopped }
                ) { _, element throws(E) in
                    try body(element)
                    return true
                }
                return nil
            } catch {
                state.stop()
                return error
            }
        } combine: { left, right in
            left ?? right
        }
        if let failure { throw failure }
    }
}
