import LoomSystem

extension ParallelView {
    /// Returns whether some element satisfies `predicate`; stops as soon as one is found.
    ///
    /// Once any thread finds a match, the other threads stop before their next element.
    ///
    /// ```swift
    /// let hasNegative = readings.parallel.contains { $0 < 0 }
    /// ```
    ///
    /// - Parameter predicate: called on any thread of the pool, for some of the elements, in no particular order.
    /// - Returns: `true` if an element satisfies `predicate`, like `base.contains(where:)`.
    /// - Throws: if `predicate` throws, the earliest event among the elements it was called with decides: an error
    ///   there is rethrown, a match there returns `true`. (The sequential version throws only when the error
    ///   comes before the first match; here a later match found first may win instead.)
    /// - Complexity: O(*n*) calls to `predicate` at most, spread over the pool's threads.
    @inlinable
    public func contains<E: Error>(where predicate: @Sendable (Base.Element) throws(E) -> Bool) throws(E) -> Bool {
        let state = ParallelState()
        let result = self.drive { offsets -> Result<Bool, E> in
            var found = false
            do throws(E) {
                _ = try self.forEachElement(in: offsets, until: { _ in state.isStopped }) { _, element throws(E) in
                    found = try predicate(element)
                    return !found
                }
            } catch {
                state.stop()
                return .failure(error)
            }
            if found { state.stop() }
            return .success(found)
        } combine: { left, right in
            // The leftmost event (a match or an error) wins.
            if case .success(false) = left { return right }
            return left
        }
        return try result.get()
    }

    /// Returns whether every element satisfies `predicate`; stops as soon as one does not.
    ///
    /// ```swift
    /// let allValid = records.parallel.allSatisfy { $0.isValid }
    /// ```
    ///
    /// - Parameter predicate: called on any thread of the pool, for some of the elements, in no particular order.
    /// - Returns: `true` if every element satisfies `predicate` (also for an empty collection), like
    ///   `base.allSatisfy(_:)`.
    /// - Throws: as ``contains(where:)``: the earliest event (an element that fails `predicate`, or an error) among
    ///   the elements `predicate` was called with decides.
    /// - Complexity: O(*n*) calls to `predicate` at most, spread over the pool's threads.
    @inlinable
    public func allSatisfy<E: Error>(_ predicate: @Sendable (Base.Element) throws(E) -> Bool) throws(E) -> Bool {
        try !self.contains { (element) throws(E) in try !predicate(element) }
    }
}
