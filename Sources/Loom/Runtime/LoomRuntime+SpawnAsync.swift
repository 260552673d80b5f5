import LoomCompute
import LoomConfiguration
import LoomSystem

extension LoomRuntime {
    /// Starts a tracked task on the async pool and returns it.
    ///
    /// The task prefers the async pool as its executor, so its code runs on the runtime's async threads across
    /// every `await`. It is tracked: ``blockUntilIdle()`` and ``waitForShutdown()`` wait for it. Works from any
    /// thread, also after ``shutdown()``.
    ///
    /// ```swift
    /// let page = runtime.spawnAsync { await fetch(url) }
    /// print(await page.value)
    /// ```
    ///
    /// - Parameter body: the task's work.
    /// - Returns: the task, to await or cancel.
    @discardableResult
    public func spawnAsync<T: Sendable>(_ body: sending @escaping () async -> T) -> Task<T, Never> {
        let tracker = self.tracker
        tracker.asyncStarted()
        return Task(executorPreference: self.asyncPool) {
            defer { tracker.asyncFinished() }
            return await body()
        }
    }

    /// Starts a tracked, throwing task on the async pool and returns it. See ``spawnAsync(_:)-(()->T)``.
    ///
    /// - Parameter body: the task's work; its error is rethrown by the task's `value`.
    /// - Returns: the task, to await or cancel.
    @discardableResult
    public func spawnAsync<T: Sendable>(_ body: sending @escaping () async throws -> T) -> Task<T, any Error> {
        let tracker = self.tracker
        tracker.asyncStarted()
        return Task(executorPreference: self.asyncPool) {
            defer { tracker.asyncFinished() }
            return try await body()
        }
    }
}
