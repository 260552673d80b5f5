import LoomSystem

extension MutableCollection where Self: RandomAccessCollection, Element: Sendable {
    /// Updates every element in place, in parallel, on the pool of the calling worker (elsewhere on the runtime's
    /// compute pool from its async and I/O threads, else ``ComputePool/shared``), like
    /// `for i in indices { update(&self[i]) }`.
    ///
    /// Each element is handed to exactly one call, so the calls never share an element: safe by construction.
    /// Collections with contiguous storage (`Array`, `ArraySlice`, `ContiguousArray`) are updated where they are;
    /// others are copied into an array, updated, and written back.
    ///
    /// ```swift
    /// pixels.parallelUpdate { $0 = $0.gammaCorrected() }
    /// ```
    ///
    /// A synchronous call that blocks the calling thread until done (see ``ParallelView``); from async code, run it
    /// inside ``LoomRuntime/spawnCompute(_:)`` or on a pool with ``ComputePool/install(_:)``.
    ///
    /// - Parameter update: called once per element, on any thread of the pool, in no particular order.
    /// - Throws: the error `update` threw for the earliest element among those it was called with; the remaining
    ///   calls are skipped. Then some elements have been updated and others not (each either fully updated, or left
    ///   as the throwing call left it), as in the sequential loop, except that elements after the failing one may
    ///   have been updated too.
    /// - Complexity: O(*n*) calls to `update`, spread over the pool's threads; O(1) extra memory with contiguous
    ///   storage, O(*n*) otherwise.
    @inlinable
    public mutating func parallelUpdate<E: Error>(_ update: @Sendable (inout Element) throws(E) -> Void) throws(E) {
        if let failure = self.updateEach({ (_: Int, element: inout Element) throws(E) in try update(&element) }) {
            throw failure
        }
    }

    /// Runs `update(offset, &element)` for every element in parallel; returns the earliest error.
    @inlinable
    mutating func updateEach<E: Error>(_ update: (Int, inout Element) throws(E) -> Void) -> E? {
        self.withMutableBufferOrCopy { updateInParallel($0, update) }
    }
}

extension MutableCollection {
    /// Runs `body` on the collection's contiguous storage, or, without it, on a copy of the elements that is then
    /// written back — whatever `body` reports, since the copy holds every element once (`parallelSort`,
    /// `parallelUpdate`).
    @inlinable
    mutating func withMutableBufferOrCopy<R>(_ body: (UnsafeMutableBufferPointer<Element>) -> R) -> R {
        var result: R? = nil
        let inPlace: Void? = self.withContiguousMutableStorageIfAvailable { buffer in result = body(buffer) }
        if inPlace != nil, let result { return result }
        var elements = Array(self)
        let copied = elements.withUnsafeMutableBufferPointer { body($0) }
        var index = self.startIndex
        for element in elements {
            self[index] = element
            self.formIndex(after: &index)
        }
        return copied
    }
}

extension MutableCollection
where
    Self: RandomAccessCollection, Element: Sendable, Index: Strideable & Sendable, Index.Stride == Int,
    Indices == Range<Index>
{
    /// ``parallelUpdate(_:)`` that also passes each element's index (`Array`, `ArraySlice`, `ContiguousArray` and
    /// other collections whose indices are a range of integers).
    ///
    /// ```swift
    /// grid.parallelUpdate { index, cell in cell = rule(neighbours(of: index, in: previous)) }
    /// ```
    ///
    /// - Parameter update: called once per element with its index, on any thread of the pool, in no particular
    ///   order.
    /// - Throws: as ``parallelUpdate(_:)``.
    /// - Complexity: as ``parallelUpdate(_:)``.
    @inlinable
    public mutating func parallelUpdate<E: Error>(
        _ update: @Sendable (Index, inout Element) throws(E) -> Void
    ) throws(E) {
        let start = self.startIndex
        let failure = self.updateEach { (offset: Int, element: inout Element) throws(E) in
            try update(start.advanced(by: offset), &element)
        }
        if let failure { throw failure }
    }
}

/// Calls `update(offset, &buffer[offset])` for every offset, split over the pool of the calling worker (else the
/// shared pool) as the `.parallel` operations are; returns the error of the earliest failed piece.
@inlinable
func updateInParallel<Element, E: Error>(
    _ buffer: UnsafeMutableBufferPointer<Element>,
    _ update: (Int, inout Element) throws(E) -> Void
) -> E? {
    let count = buffer.count
    if count == 0 { return nil }
    let state = ParallelState()
    return Registry.currentOrShared.withWorker { registry in
        bridge(
            0..<count,
            Splitter(threads: registry.workers.count, count: count),
            stolen: false,
            in: registry
        ) { offsets -> E? in
            for offset in offsets {
                if ParallelState.canFail(E.self) && state.isStopped { return nil }
                do throws(E) {
                    try update(offset, &buffer[offset])
                } catch {
                    state.stop()
                    return error
                }
            }
            return nil
        } combine: { left, right in
            left ?? right
        }
    }
}
