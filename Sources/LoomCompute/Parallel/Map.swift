import LoomSystem

extension ParallelView {
    /// Returns an array of the results of `transform` on each element, in collection order.
    ///
    /// Each leaf writes its results straight into the final array's storage: no intermediate arrays.
    ///
    /// ```swift
    /// let scaled = try pool.install { (0..<10_000_000).parallel.map { f($0) } }
    /// ```
    ///
    /// - Parameter transform: called once per element, on any thread of the pool, in no particular order.
    /// - Returns: `[transform(e) for e in base]`, like `base.map(transform)`.
    /// - Throws: the error `transform` threw for the earliest element among those it was called with; the
    ///   remaining elements are skipped and every result already built is destroyed.
    /// - Complexity: O(*n*) calls to `transform`, spread over the pool's threads; O(*n*) extra memory for the
    ///   result only.
    @inlinable
    public func map<T: Sendable, E: Error>(_ transform: @Sendable (Base.Element) throws(E) -> T) throws(E) -> [T] {
        let count = self.base.count
        if count == 0 { return [] }
        let state = ParallelState()
        var failure: E? = nil
        let result = [T](unsafeUninitializedCapacity: count) { buffer, initializedCount in
            let output = buffer.baseAddress!
            let outcome = self.drive { offsets -> MapOutcome<E> in
                // Results are written at their offsets; on failure the leaf destroys the prefix it built.
                var built = offsets.lowerBound
                do throws(E) {
                    let end = try self.forEachElement(
                        in: offsets,
                        until: { _ in ParallelState.canFail(E.self) && state.isStopped }
                    ) { offset, element throws(E) in
                        (output + offset).initialize(to: try transform(element))
                        built = offset + 1
                        return true
                    }
                    if end == offsets.upperBound { return .built(offsets) }
                    (output + offsets.lowerBound).deinitialize(count: built - offsets.lowerBound)
                    return .failed(nil)  // Stopped: another leaf failed.
                } catch {
                    state.stop()
                    (output + offsets.lowerBound).deinitialize(count: built - offsets.lowerBound)
                    return .failed(error)
                }
            } combine: { left, right in
                switch (left, right) {
                case (.built(let a), .built(let b)):
                    return .built(a.lowerBound..<b.upperBound)
                case (.built(let a), .failed(let error)), (.failed(let error), .built(let a)):
                    (output + a.lowerBound).deinitialize(count: a.count)
                    return .failed(error)
                case (.failed(let a), .failed(let b)):
                    return .failed(a ?? b)
                }
            }
            switch outcome {
            case .built:
                initializedCount = count
            case .failed(let error):
                initializedCount = 0
                failure = error
                precondition(error != nil, "a parallel map stopped without an error")
            }
        }
        if let failure { throw failure }
        return result
    }
}

/// What one subtree of a parallel ``ParallelView/map(_:)`` leaves behind: a fully initialized range of the
/// output, or nothing (everything it built was destroyed) and the error that made it stop, `nil` when it stopped
/// because another subtree failed.
@usableFromInline
enum MapOutcome<Failure: Error> {
    case built(Range<Int>)
    case failed(Failure?)
}
