import LoomSystem

extension ParallelView {
    /// Folds the elements into accumulators, one per piece of the collection, and combines the accumulators in
    /// collection order (rayon's `fold` followed by `reduce`).
    ///
    /// Each piece starts from a copy of `initial` and calls `update` with its elements in order; then adjacent
    /// pieces' accumulators are merged left to right with `combine(&left, right)`. The result equals
    /// `base.reduce(into: initial, update)` when `combine` merges two accumulators the way `update` would have
    /// continued (for a histogram, adding the counts) and `initial` is neutral for it.
    ///
    /// ```swift
    /// let histogram = words.parallel.reduce(into: [String: Int]()) { counts, word in
    ///     counts[word, default: 0] += 1
    /// } combine: { counts, other in
    ///     counts.merge(other, uniquingKeysWith: +)
    /// }
    /// ```
    ///
    /// **Cheap updates.** `update` is called through a closure for every element, which costs a few nanoseconds that
    /// the compiler cannot optimize away across threads (a Swift closure is a value; rayon's closures are types it
    /// compiles into the loop), and an `inout` array accumulator pays its copy-on-write check on every write. When one
    /// update costs about that much — a histogram of integers, a sum — fold whole chunks instead, with the loop over
    /// the chunk your own and the accumulator's storage taken once per chunk:
    ///
    /// ```swift
    /// let histogram = samples.parallel.chunks(ofCount: 65_536).reduce(into: [Int](repeating: 0, count: 256)) {
    ///     counts, chunk in
    ///     counts.withUnsafeMutableBufferPointer { buckets in
    ///         for x in chunk { buckets[Int(x >> 56)] += 1 }
    ///     }
    /// } combine: { counts, other in
    ///     for bucket in counts.indices { counts[bucket] += other[bucket] }
    /// }
    /// ```
    ///
    /// Benchmark S3 (`Benchmarks/README.md`) measures both forms against the sequential loop: per element 0.2× its
    /// speed, per chunk 1.6× on two threads.
    ///
    /// - Parameters:
    ///   - initial: the empty accumulator; copied once per piece.
    ///   - update: adds one element to an accumulator; called on any thread of the pool.
    ///   - combine: merges the accumulator of the piece to the right into the one to the left.
    /// - Returns: the combined accumulator, or `initial` for an empty collection.
    /// - Throws: the error `update` or `combine` threw for the earliest piece among those that ran; the remaining
    ///   elements are skipped.
    /// - Complexity: O(*n*) calls to `update` and O(pieces) calls to `combine`, spread over the pool's threads;
    ///   about 16 pieces per thread unless ``minimumSplit(_:)`` says otherwise.
    @inlinable
    public func reduce<Accumulator: Sendable, E: Error>(
        into initial: Accumulator,
        _ update: @Sendable (inout Accumulator, Base.Element) throws(E) -> Void,
        combine: @Sendable (inout Accumulator, Accumulator) throws(E) -> Void
    ) throws(E) -> Accumulator {
        try self.fold(start: { initial }, update) { (left, right) throws(E) in
            var merged = left
            try combine(&merged, right)
            return merged
        }
    }

    /// The `await`-able ``reduce(into:_:combine:)``.
    @inlinable
    public func reduce<Accumulator: Sendable, E: Error>(
        into initial: Accumulator,
        _ update: @Sendable (inout Accumulator, Base.Element) throws(E) -> Void,
        combine: @Sendable (inout Accumulator, Accumulator) throws(E) -> Void
    ) async throws(E) -> Accumulator {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Accumulator in
            try self.reduce(into: initial, update, combine: combine)
        }
    }
}
