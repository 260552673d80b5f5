import LoomSystem

extension ParallelView {
    /// Combines the elements with an associative `operation`, in parallel: each thread reduces pieces of the
    /// collection starting from `identity`, and the partial results are combined in collection order.
    ///
    /// The result equals `base.reduce(identity, operation)` when `operation` is associative
    /// (`op(op(a, b), c) == op(a, op(b, c))`) and `identity` is its identity element (`op(identity, a) == a`).
    /// The operation need not be commutative: partial results are combined left to right.
    ///
    /// ```swift
    /// let sum = values.parallel.reduce(0, &+)
    /// let product = factors.parallel.reduce(Matrix.identity) { $0 * $1 }
    /// ```
    ///
    /// - Parameters:
    ///   - identity: the identity element of `operation`; it may be used any number of times.
    ///   - operation: an associative operation, called on any thread of the pool.
    /// - Returns: the combination of all elements, or `identity` for an empty collection.
    /// - Throws: the error `operation` threw for the earliest elements among those it was called with; the
    ///   remaining elements are skipped.
    /// - Complexity: O(*n*) calls to `operation`, spread over the pool's threads.
    @inlinable
    public func reduce<E: Error>(
        _ identity: Base.Element,
        _ operation: @Sendable (Base.Element, Base.Element) throws(E) -> Base.Element
    ) throws(E) -> Base.Element {
        if !ParallelState.canFail(E.self) {
            // Nothing can fail: each leaf is a plain loop calling `operation` (captured once, with the partial result
            // kept in a local rather than passed through an `inout` wrapper closure per element).
            let base = self.base
            return self.drive { offsets -> Base.Element in
                var partial = identity
                var index = base.index(base.startIndex, offsetBy: offsets.lowerBound)
                for _ in offsets {
                    partial = try! operation(partial, base[index])
                    base.formIndex(after: &index)
                }
                return partial
            } combine: { a, b in
                try! operation(a, b)
            }
        }
        return try self.fold(start: { identity }) { (partial, element) throws(E) in
            partial = try operation(partial, element)
        } merge: { (a, b) throws(E) in
            try operation(a, b)
        }
    }
}
