// The operations of `Sequence.parallel(batchSize:)` from async code: the calling task suspends while a compute pool
// reads and processes the sequence (see ParallelView+Async.swift for how the pool is chosen).
import LoomSystem

extension ParallelBatches {
    /// The `await`-able ``map(_:)-(…)->[T]``: runs on a compute pool while the calling task is suspended.
    ///
    /// ```swift
    /// let records = try await lines.parallel(batchSize: 1_000).map { try Record(parsing: $0) }
    /// ```
    @inlinable
    public func map<T: Sendable, E: Error>(
        _ transform: @Sendable (Base.Element) throws(E) -> T
    ) async throws(E) -> [T] {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> [T] in try self.map(transform) }
    }

    /// The `await`-able ``compactMap(_:)``.
    @inlinable
    public func compactMap<T: Sendable, E: Error>(
        _ transform: @Sendable (Base.Element) throws(E) -> T?
    ) async throws(E) -> [T] {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> [T] in try self.compactMap(transform) }
    }

    /// The `await`-able ``filter(_:)``.
    @inlinable
    public func filter<E: Error>(
        _ isIncluded: @Sendable (Base.Element) throws(E) -> Bool
    ) async throws(E) -> [Base.Element] {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> [Base.Element] in
            try self.filter(isIncluded)
        }
    }

    /// The `await`-able ``forEach(_:)``.
    @inlinable
    public func forEach<E: Error>(_ body: @Sendable (Base.Element) throws(E) -> Void) async throws(E) {
        _ = try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Bool in
            try self.forEach(body)
            return true
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
