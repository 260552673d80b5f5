// The terminals of fused chains from async code: `await xs.parallel.lazy.map { … }.sum()` suspends the calling task
// while the chain runs on a compute pool (the pool and rules of `ParallelView+Async.swift`).
import LoomSystem

extension LazyParallelView {
    /// The `await`-able ``forEach(_:)-(…)->()``.
    @inlinable
    public func forEach(_ body: @Sendable (Stage.Output) throws(Stage.Failure) -> Void) async throws(Stage.Failure) {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) in try self.forEach(body) }
    }

    /// The `await`-able ``reduce(_:_:)-(_,_)->Stage.Output``.
    @inlinable
    public func reduce(
        _ identity: Stage.Output,
        _ operation: @Sendable (Stage.Output, Stage.Output) throws(Stage.Failure) -> Stage.Output
    ) async throws(Stage.Failure) -> Stage.Output {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> Stage.Output in
            try self.reduce(identity, operation)
        }
    }

    /// The `await`-able ``reduce(into:_:combine:)-(_,_,_)->Accumulator``.
    @inlinable
    public func reduce<Accumulator: Sendable>(
        into initial: Accumulator,
        _ update: @Sendable (inout Accumulator, Stage.Output) throws(Stage.Failure) -> Void,
        combine: @Sendable (inout Accumulator, Accumulator) throws(Stage.Failure) -> Void
    ) async throws(Stage.Failure) -> Accumulator {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> Accumulator in
            try self.reduce(into: initial, update, combine: combine)
        }
    }

    /// The `await`-able ``count()-(…)->Int``.
    @inlinable
    public func count() async throws(Stage.Failure) -> Int {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> Int in try self.count() }
    }

    /// The `await`-able ``first(where:)-(…)->Stage.Output?``.
    @inlinable
    public func first(
        where predicate: @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) async throws(Stage.Failure) -> Stage.Output? {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> Stage.Output? in
            try self.first(where: predicate)
        }
    }

    /// The `await`-able ``first()-(…)->Stage.Output?``.
    @inlinable
    public func first() async throws(Stage.Failure) -> Stage.Output? {
        try await self.first { _ in true }
    }

    /// The `await`-able ``contains(where:)-(…)->Bool``.
    @inlinable
    public func contains(
        where predicate: @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) async throws(Stage.Failure) -> Bool {
        try await self.first(where: predicate) != nil
    }

    /// The `await`-able ``allSatisfy(_:)-(…)->Bool``.
    @inlinable
    public func allSatisfy(
        _ predicate: @Sendable (Stage.Output) throws(Stage.Failure) -> Bool
    ) async throws(Stage.Failure) -> Bool {
        try await !self.contains { (output) throws(Stage.Failure) -> Bool in try !predicate(output) }
    }

    /// The `await`-able ``min(by:)-(…)->Stage.Output?``.
    @inlinable
    public func min(
        by areInIncreasingOrder: @Sendable (Stage.Output, Stage.Output) throws(Stage.Failure) -> Bool
    ) async throws(Stage.Failure) -> Stage.Output? {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> Stage.Output? in
            try self.min(by: areInIncreasingOrder)
        }
    }

    /// The `await`-able ``max(by:)-(…)->Stage.Output?``.
    @inlinable
    public func max(
        by areInIncreasingOrder: @Sendable (Stage.Output, Stage.Output) throws(Stage.Failure) -> Bool
    ) async throws(Stage.Failure) -> Stage.Output? {
        try await Registry.forAsyncCaller.runSuspending { () throws(Stage.Failure) -> Stage.Output? in
            try self.max(by: areInIncreasingOrder)
        }
    }
}

extension LazyParallelView where Stage.Output: Comparable {
    /// The `await`-able ``min()-(…)->Stage.Output?``.
    @inlinable
    public func min() async throws(Stage.Failure) -> Stage.Output? { try await self.min { $0 < $1 } }

    /// The `await`-able ``max()-(…)->Stage.Output?``.
    @inlinable
    public func max() async throws(Stage.Failure) -> Stage.Output? { try await self.max { $0 < $1 } }
}

extension LazyParallelView where Stage.Output: Equatable {
    /// The `await`-able ``contains(_:)-(…)->Bool``.
    @inlinable
    public func contains(_ element: Stage.Output) async throws(Stage.Failure) -> Bool {
        try await self.contains { $0 == element }
    }
}

extension LazyParallelView where Stage.Output: AdditiveArithmetic {
    /// The `await`-able ``sum()-(…)->Stage.Output``.
    @inlinable
    public func sum() async throws(Stage.Failure) -> Stage.Output {
        try await self.reduce(.zero) { $0 + $1 }
    }
}
