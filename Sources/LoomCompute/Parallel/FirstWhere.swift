import LoomSystem

extension ParallelView {
    /// Returns the first element in collection order that satisfies `predicate` — not merely the first one found.
    ///
    /// Threads record the offset of every match in a shared "earliest so far"; a thread stops as soon as its next
    /// element lies past it. So the work stops early, yet every element before the answer is examined.
    ///
    /// ```swift
    /// let firstPrime = (1_000_000..<2_000_000).parallel.first { isPrime($0) }   // 1_000_003
    /// ```
    ///
    /// - Parameter predicate: called on any thread of the pool, for some of the elements, in no particular order.
    /// - Returns: the first element that satisfies `predicate`, or `nil`, like `base.first(where:)`.
    /// - Throws: exactly what `base.first(where:)` throws (for a predicate that answers the same every time): the
    ///   error thrown for an element when no element before it matches.
    /// - Complexity: O(*n*) calls to `predicate` at most, spread over the pool's threads.
    @inlinable
    public func first<E: Error>(where predicate: @Sendable (Base.Element) throws(E) -> Bool) throws(E) -> Base.Element?
    {
        try self.firstResult { (element) throws(E) -> Base.Element? in try predicate(element) ? element : nil }
    }

    /// The first non-`nil` `probe(element)` in collection order (not merely the first found), or the error `probe`
    /// threw for an element before it: `first(where:)` here and on fused chains.
    @inlinable
    func firstResult<T, E: Error>(_ probe: (Base.Element) throws(E) -> T?) throws(E) -> T? {
        let state = ParallelState()
        let result = self.drive { offsets -> Result<T?, E> in
            var found: T? = nil
            do throws(E) {
                _ = try self.forEachElement(
                    in: offsets,
                    until: { offset in state.hasEvent(before: offset) }
                ) { offset, element throws(E) in
                    let hit: T?
                    do throws(E) {
                        hit = try probe(element)
                    } catch {
                        state.recordEvent(at: offset)
                        throw error
                    }
                    guard let hit else { return true }
                    state.recordEvent(at: offset)
                    found = hit
                    return false
                }
            } catch {
                return .failure(error)
            }
            return .success(found)
        } combine: { left, right in
            // The leftmost event (a match or an error) wins. Every element before the earliest recorded event was
            // examined, since a leaf only stops at offsets past a recorded event.
            if case .success(nil) = left { return right }
            return left
        }
        return try result.get()
    }
}
