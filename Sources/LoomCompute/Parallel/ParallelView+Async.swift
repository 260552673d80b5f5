// The parallel operations from async code: `await xs.parallel.map { … }` suspends the calling task while the operation
// runs on a compute pool, instead of blocking the thread the task runs on.
//
// Each operation here has the same name, parameters and result as its synchronous form, and is chosen by the compiler
// wherever the call is awaited (Swift prefers an `async` overload in async code, so in async code the `await` is
// required). The pool is the one the synchronous form would use from the calling task: a runtime's compute pool on
// that runtime's async and I/O threads and in its `blockOn` body, else `ComputePool.shared`. Untracked, like the
// synchronous forms. The calling task's context (cancellation, task-locals, priority) is visible where the operation
// starts, not inside the closures: they run on the pool's threads, outside any task.
import LoomSystem

extension ParallelView {
    /// The `await`-able ``map(_:)-(…)->[T]``: runs on a compute pool while the calling task is suspended.
    ///
    /// ```swift
    /// let scaled = await values.parallel.map { $0 * 2 }   // in a request handler: the async thread stays free
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

    /// The `await`-able ``flatMap(_:)``.
    @inlinable
    public func flatMap<Segment: Sequence, E: Error>(
        _ transform: @Sendable (Base.Element) throws(E) -> Segment
    ) async throws(E) -> [Segment.Element] where Segment.Element: Sendable {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> [Segment.Element] in
            try self.flatMap(transform)
        }
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

    /// The `await`-able ``reduce(_:_:)``.
    @inlinable
    public func reduce<E: Error>(
        _ identity: Base.Element,
        _ operation: @Sendable (Base.Element, Base.Element) throws(E) -> Base.Element
    ) async throws(E) -> Base.Element {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Base.Element in
            try self.reduce(identity, operation)
        }
    }

    /// The `await`-able ``contains(where:)``.
    @inlinable
    public func contains<E: Error>(
        where predicate: @Sendable (Base.Element) throws(E) -> Bool
    ) async throws(E) -> Bool {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Bool in try self.contains(where: predicate) }
    }

    /// The `await`-able ``allSatisfy(_:)``.
    @inlinable
    public func allSatisfy<E: Error>(_ predicate: @Sendable (Base.Element) throws(E) -> Bool) async throws(E) -> Bool {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Bool in try self.allSatisfy(predicate) }
    }

    /// The `await`-able ``first(where:)``.
    @inlinable
    public func first<E: Error>(
        where predicate: @Sendable (Base.Element) throws(E) -> Bool
    ) async throws(E) -> Base.Element? {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Base.Element? in
            try self.first(where: predicate)
        }
    }

    /// The `await`-able ``count(where:)``.
    @inlinable
    public func count<E: Error>(where predicate: @Sendable (Base.Element) throws(E) -> Bool) async throws(E) -> Int {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Int in try self.count(where: predicate) }
    }

    /// The `await`-able ``min(by:)``.
    @inlinable
    public func min<E: Error>(
        by areInIncreasingOrder: @Sendable (Base.Element, Base.Element) throws(E) -> Bool
    ) async throws(E) -> Base.Element? {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Base.Element? in
            try self.min(by: areInIncreasingOrder)
        }
    }

    /// The `await`-able ``max(by:)``.
    @inlinable
    public func max<E: Error>(
        by areInIncreasingOrder: @Sendable (Base.Element, Base.Element) throws(E) -> Bool
    ) async throws(E) -> Base.Element? {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> Base.Element? in
            try self.max(by: areInIncreasingOrder)
        }
    }

    /// The `await`-able ``sorted(by:)``.
    @inlinable
    public func sorted<E: Error>(
        by areInIncreasingOrder: @Sendable (Base.Element, Base.Element) throws(E) -> Bool
    ) async throws(E) -> [Base.Element] {
        try await Registry.forAsyncCaller.runSuspending { () throws(E) -> [Base.Element] in
            try self.sorted(by: areInIncreasingOrder)
        }
    }
}

extension ParallelView where Base.Element: Comparable {
    /// The `await`-able ``min()``.
    @inlinable
    public func min() async -> Base.Element? {
        await Registry.forAsyncCaller.runSuspending { () -> Base.Element? in self.min() }
    }

    /// The `await`-able ``max()``.
    @inlinable
    public func max() async -> Base.Element? {
        await Registry.forAsyncCaller.runSuspending { () -> Base.Element? in self.max() }
    }

    /// The `await`-able ``sorted()``.
    @inlinable
    public func sorted() async -> [Base.Element] {
        await Registry.forAsyncCaller.runSuspending { () -> [Base.Element] in self.sorted() }
    }
}
