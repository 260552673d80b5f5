import LoomSystem

// Any `Sequence` through a compute pool: rayon's `par_bridge`, but in order. The calling worker reads the sequence a
// wave of batches at a time; while it reads the next wave, the other workers process the current one (a `join` whose
// first half, the reading, always runs on the caller, and whose second half is stolen). Results come back per batch
// and are put together in sequence order, so `map` returns what `Array(sequence.map(f))` returns.

/// A sequence whose elements are processed in parallel, in batches: ``Swift/Sequence/parallel(batchSize:)``.
///
/// For sequences that are not random-access collections — an iterator, a file's lines, a generator — which
/// ``Swift/RandomAccessCollection/parallel`` cannot split. The sequence itself is read by one thread (the caller's
/// compute worker), `batchSize` elements at a time; each batch becomes one job. The operations that build a result
/// keep the sequence's order; ``forEach(_:)`` does not (like rayon's `par_bridge`), because it returns nothing.
///
/// ```swift
/// let records = try lines.parallel(batchSize: 1_000).map { try Record(parsing: $0) }   // in line order
/// ```
///
/// At most a few batches per thread are read ahead (two waves of four per thread), so a long or endless sequence
/// is not loaded into memory at once: memory use is bounded by the batches in flight plus the results.
///
/// `next()` on the sequence's iterator is called on a compute thread (one at a time, never concurrently): a
/// sequence that must be read on a particular thread should be read there into an array first.
///
/// **Choosing `batchSize`.** A batch is the unit of parallel work: make one batch take tens of microseconds or
/// more (a few hundred cheap elements, or a handful of expensive ones). Too small and the per-batch overhead shows;
/// too large and the last batches leave threads idle.
public struct ParallelBatches<Base: Sequence> where Base.Element: Sendable {
    /// The sequence.
    public let base: Base
    /// Elements per batch.
    public let batchSize: Int

    @inlinable
    init(_ base: Base, batchSize: Int) {
        self.base = base
        self.batchSize = batchSize
    }
}

extension ParallelBatches: Sendable where Base: Sendable {}

extension Sequence where Element: Sendable {
    /// A view of the sequence whose operations run in parallel on a compute pool, `batchSize` elements per job; see
    /// ``ParallelBatches``.
    ///
    /// ```swift
    /// let lengths = lines.parallel(batchSize: 512).map { $0.utf8.count }
    /// ```
    ///
    /// - Parameter batchSize: elements per batch, at least 1.
    /// - Complexity: O(1).
    @inlinable
    public func parallel(batchSize: Int) -> ParallelBatches<Self> {
        precondition(batchSize >= 1, "parallel(batchSize: \(batchSize)): a batch needs at least 1 element")
        return ParallelBatches(self, batchSize: batchSize)
    }
}

extension ParallelBatches {
    /// Returns the results of `transform` on each element, in sequence order.
    ///
    /// - Parameter transform: called once per element, on any thread of the pool.
    /// - Throws: the error `transform` threw for the earliest element among those it was called with; no more of the
    ///   sequence is read after the batches in flight.
    /// - Complexity: O(*n*) calls to `transform`, spread over the pool's threads; the sequence is iterated once.
    @inlinable
    public func map<T: Sendable, E: Error>(_ transform: @Sendable (Base.Element) throws(E) -> T) throws(E) -> [T] {
        Self.flatten(try self.batchResults { (batch) throws(E) -> [T] in try batch.map(transform) })
    }

    /// Returns the non-`nil` results of `transform` on each element, in sequence order.
    ///
    /// - Parameter transform: called once per element, on any thread of the pool.
    /// - Throws: as ``map(_:)``.
    /// - Complexity: as ``map(_:)``.
    @inlinable
    public func compactMap<T: Sendable, E: Error>(
        _ transform: @Sendable (Base.Element) throws(E) -> T?
    ) throws(E) -> [T] {
        Self.flatten(
            try self.batchResults { (batch) throws(E) -> [T] in
                var results: [T] = []
                for element in batch { if let result = try transform(element) { results.append(result) } }
                return results
            }
        )
    }

    /// Returns the elements that satisfy `isIncluded`, in sequence order.
    ///
    /// - Parameter isIncluded: called once per element, on any thread of the pool.
    /// - Throws: as ``map(_:)``.
    /// - Complexity: as ``map(_:)``.
    @inlinable
    public func filter<E: Error>(
        _ isIncluded: @Sendable (Base.Element) throws(E) -> Bool
    ) throws(E) -> [Base.Element] {
        Self.flatten(
            try self.batchResults { (batch) throws(E) -> [Base.Element] in
                var kept: [Base.Element] = []
                for element in batch where try isIncluded(element) { kept.append(element) }
                return kept
            }
        )
    }

    /// Calls `body` on each element, in parallel and in no particular order.
    ///
    /// - Parameter body: called once per element, on any thread of the pool.
    /// - Throws: as ``map(_:)``.
    /// - Complexity: as ``map(_:)``.
    @inlinable
    public func forEach<E: Error>(_ body: @Sendable (Base.Element) throws(E) -> Void) throws(E) {
        _ = try self.batchResults { (batch) throws(E) -> Bool in
            for element in batch { try body(element) }
            return true
        }
    }

    /// Folds the elements into one accumulator per batch, starting from `initial`, and combines the accumulators in
    /// sequence order (as ``ParallelView/reduce(into:_:combine:)-(…)->Accumulator``).
    ///
    /// ```swift
    /// let wordCounts = lines.parallel(batchSize: 1_000).reduce(into: [String: Int]()) { counts, line in
    ///     for word in line.split(separator: " ") { counts[String(word), default: 0] += 1 }
    /// } combine: { counts, other in
    ///     counts.merge(other, uniquingKeysWith: +)
    /// }
    /// ```
    ///
    /// - Parameters:
    ///   - initial: each batch's starting accumulator.
    ///   - update: folds one element into a batch's accumulator.
    ///   - combine: merges the next batch's accumulator into the running one, left to right, on the calling thread
    ///     (on a pool thread in the `async` form).
    /// - Throws: as ``map(_:)``.
    /// - Complexity: as ``map(_:)``, plus one `combine` per batch on the calling thread.
    @inlinable
    public func reduce<Accumulator: Sendable, E: Error>(
        into initial: Accumulator,
        _ update: @Sendable (inout Accumulator, Base.Element) throws(E) -> Void,
        combine: @Sendable (inout Accumulator, Accumulator) throws(E) -> Void
    ) throws(E) -> Accumulator {
        let partials = try self.batchResults { (batch) throws(E) -> Accumulator in
            var accumulator = initial
            for element in batch { try update(&accumulator, element) }
            return accumulator
        }
        guard var result = partials.first else { return initial }
        for partial in partials.dropFirst() { try combine(&result, partial) }
        return result
    }

    /// `process` on each batch of the sequence, in parallel, on the pool of the calling worker (elsewhere on the
    /// runtime's compute pool from its async and I/O threads, else the shared pool); the results in sequence order.
    @inlinable
    func batchResults<Partial: Sendable, E: Error>(
        _ process: @Sendable ([Base.Element]) throws(E) -> Partial
    ) throws(E) -> [Partial] {
        let outcome = Registry.currentOrShared.withWorker { registry in
            BatchReader(self.base.makeIterator(), batchSize: self.batchSize, wave: 4 * registry.workers.count)
                .run(on: registry, process)
        }
        return try outcome.get()
    }

    @inlinable
    static func flatten<T>(_ parts: [[T]]) -> [T] {
        var result: [T] = []
        result.reserveCapacity(parts.reduce(0) { $0 + $1.count })
        for part in parts { result.append(contentsOf: part) }
        return result
    }
}

/// Reads a sequence in waves of batches on the calling worker and processes each wave in parallel while reading the
/// next.
@usableFromInline
struct BatchReader<Iterator: IteratorProtocol> where Iterator.Element: Sendable {
    @usableFromInline
    var iterator: Iterator
    @usableFromInline
    let batchSize: Int
    /// Batches per wave.
    @usableFromInline
    let wave: Int

    @inlinable
    init(_ iterator: Iterator, batchSize: Int, wave: Int) {
        self.iterator = iterator
        self.batchSize = batchSize
        self.wave = wave
    }

    /// The next wave: up to `wave` batches, each full but the last one the sequence ends in; empty at the end.
    @inlinable
    mutating func readWave() -> [[Iterator.Element]] {
        var batches: [[Iterator.Element]] = []
        while batches.count < self.wave {
            var batch: [Iterator.Element] = []
            batch.reserveCapacity(self.batchSize)
            while batch.count < self.batchSize, let element = self.iterator.next() { batch.append(element) }
            if batch.isEmpty { break }
            let full = batch.count == self.batchSize
            batches.append(batch)
            if !full { break }
        }
        return batches
    }

    /// Processes every batch, a wave at a time; the next wave is read (on this thread) while the current one is
    /// processed (by the pool). Stops reading after the first wave that fails.
    @inlinable
    consuming func run<Partial: Sendable, E: Error>(
        on registry: Registry,
        _ process: @Sendable ([Iterator.Element]) throws(E) -> Partial
    ) -> Result<[Partial], E> {
        var results: [Partial] = []
        var current = self.readWave()
        while !current.isEmpty {
            let batches = current
            let (next, processed) = registry.joinContext(
                { self.readWave() },
                { _ in
                    Result(catching: { () throws(E) -> [Partial] in try batches.parallel.minimumSplit(1).map(process) })
                }
            )
            switch processed {
            case .success(let partials): results.append(contentsOf: partials)
            case .failure(let error): return .failure(error)
            }
            current = next
        }
        return .success(results)
    }
}
