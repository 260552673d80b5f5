import LoomSystem

// The mutable form of `.parallel.chunks(ofCount:)`: each call gets a disjoint run of elements it may change in place.
// rayon's `par_chunks_mut`, with a `MutableSpan` instead of a `&mut [T]`: the span cannot escape the call, and no two
// calls ever get overlapping spans, so the update is safe by construction.

extension MutableCollection where Self: RandomAccessCollection, Element: Sendable {
    /// Updates the collection in place, one chunk of `count` consecutive elements per call, in parallel, on the pool
    /// of the calling worker (elsewhere on the runtime's compute pool from its async and I/O threads, else
    /// ``ComputePool/shared``). The last chunk holds what is left (between 1 and `count` elements).
    ///
    /// Each call gets a `MutableSpan` over its own chunk: the spans never overlap and cannot outlive the call, so the
    /// calls can write without locks, and a chunk can be processed with a plain loop (or SIMD) that the optimizer
    /// vectorises — the reason to use this instead of ``parallelUpdate(_:)`` when per-element work is tiny.
    ///
    /// ```swift
    /// samples.parallelUpdateChunks(ofCount: 4_096) { chunk in
    ///     for i in chunk.indices { chunk[i] = chunk[i] * gain + offset }
    /// }
    /// ```
    ///
    /// Collections with contiguous storage (`Array`, `ArraySlice`, `ContiguousArray`) are updated where they are;
    /// others are copied into an array, updated, and written back. A synchronous call that blocks the calling thread
    /// until done (see ``ParallelView``).
    ///
    /// - Parameters:
    ///   - count: the elements per chunk, at least 1.
    ///   - update: called once per chunk, on any thread of the pool, in no particular order.
    /// - Throws: the error `update` threw for the earliest chunk among those it was called with; the remaining calls
    ///   are skipped (chunks after the failing one may have been updated).
    /// - Complexity: O(*n* / `count`) calls to `update`, spread over the pool's threads; O(1) extra memory with
    ///   contiguous storage, O(*n*) otherwise.
    @inlinable
    public mutating func parallelUpdateChunks<E: Error>(
        ofCount count: Int,
        _ update: @Sendable (inout MutableSpan<Element>) throws(E) -> Void
    ) throws(E) {
        let failure = self.updateChunks(ofCount: count) {
            (_: Range<Int>, chunk: inout MutableSpan<Element>) throws(E) in
            try update(&chunk)
        }
        if let failure { throw failure }
    }

    /// Runs `update(offsets, &span)` for consecutive chunks of `count` elements in parallel; returns the earliest
    /// error.
    @inlinable
    mutating func updateChunks<E: Error>(
        ofCount count: Int,
        _ update: (Range<Int>, inout MutableSpan<Element>) throws(E) -> Void
    ) -> E? {
        precondition(count >= 1, "parallelUpdateChunks(ofCount: \(count)): a chunk needs at least 1 element")
        return self.withMutableBufferOrCopy { buffer in updateChunksInParallel(buffer, chunk: count, update) }
    }
}

extension MutableCollection
where
    Self: RandomAccessCollection, Element: Sendable, Index: Strideable & Sendable, Index.Stride == Int,
    Indices == Range<Index>
{
    /// ``parallelUpdateChunks(ofCount:_:)-(_,(inout MutableSpan<Element>)->Void)`` that also passes the indices each
    /// chunk covers (`Array`, `ArraySlice`, `ContiguousArray` and other collections whose indices are a range of
    /// integers): `chunk[i]` is the element at `indices.lowerBound + i`.
    ///
    /// ```swift
    /// image.parallelUpdateChunks(ofCount: width) { rows, row in   // one row of pixels per call
    ///     let y = rows.lowerBound / width
    ///     for x in row.indices { row[x] = shade(x: x, y: y) }
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - count: the elements per chunk, at least 1.
    ///   - update: called once per chunk with the chunk's indices, on any thread of the pool, in no particular order.
    /// - Throws: as ``parallelUpdateChunks(ofCount:_:)-(_,(inout MutableSpan<Element>)->Void)``.
    /// - Complexity: as ``parallelUpdateChunks(ofCount:_:)-(_,(inout MutableSpan<Element>)->Void)``.
    @inlinable
    public mutating func parallelUpdateChunks<E: Error>(
        ofCount count: Int,
        _ update: @Sendable (Range<Index>, inout MutableSpan<Element>) throws(E) -> Void
    ) throws(E) {
        let start = self.startIndex
        let failure = self.updateChunks(ofCount: count) {
            (offsets: Range<Int>, chunk: inout MutableSpan<Element>) throws(E) in
            try update(start.advanced(by: offsets.lowerBound)..<start.advanced(by: offsets.upperBound), &chunk)
        }
        if let failure { throw failure }
    }
}

/// Calls `update(offsets, &span)` for each chunk of `chunk` elements of `buffer`, split over the pool of the calling
/// worker (else the shared pool) as the `.parallel` operations are; returns the error of the earliest failed chunk.
@inlinable
func updateChunksInParallel<Element, E: Error>(
    _ buffer: UnsafeMutableBufferPointer<Element>,
    chunk: Int,
    _ update: (Range<Int>, inout MutableSpan<Element>) throws(E) -> Void
) -> E? {
    let count = buffer.count
    if count == 0 { return nil }
    let chunks = count / chunk + (count % chunk == 0 ? 0 : 1)
    let state = ParallelState()
    return Registry.currentOrShared.withWorker { registry in
        bridge(
            0..<chunks,
            Splitter(threads: registry.workers.count, minimumLength: 1),
            stolen: false,
            in: registry
        ) { chunkIndices -> E? in
            for index in chunkIndices {
                if ParallelState.canFail(E.self) && state.isStopped { return nil }
                let lower = index * chunk
                let upper = Swift.min(lower + chunk, count)
                // Disjoint for every index: each span covers its own chunk only, and lives for this call only.
                var span = UnsafeMutableBufferPointer(rebasing: buffer[lower..<upper]).mutableSpan
                do throws(E) {
                    try update(lower..<upper, &span)
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
