import LoomCompute
import LoomConfiguration
import LoomSystem

extension LoomRuntime {
    /// Runs `body` on the compute pool and blocks the calling thread until it returns (inline if the caller is
    /// already one of its threads). Untracked. See ``ComputePool/install(_:)``.
    ///
    /// `body` is `sending` (nonisolated wherever it is written; see ``spawnCompute(_:)``), and runs outside any task:
    /// `Task.isCancelled` is `false` there and task-locals have their default values.
    ///
    /// - Important: Called from a task on a thread outside the runtime (Swift's cooperative pool, the main actor),
    ///   `install` holds that thread until the work is done; the runtime logs a warning the first time. From async
    ///   code, `await` ``spawnCompute(_:)`` or an awaited `.parallel` operation instead.
    ///
    /// - Important: From async code this blocks the async thread; prefer ``spawnCompute(_:)``.
    public func install<R, E: Error>(_ body: sending () throws(E) -> R) throws(E) -> sending R {
        // From a task on a thread outside the runtime (Swift's cooperative pool, the main actor): it holds that
        // thread; say so once. Loom's own threads are the caller's business (the docs advise spawnCompute there).
        if !Self.isOnLoomThread && withUnsafeCurrentTask(body: { $0 != nil }) {
            self.warnOnceAboutBlocking(
                "install",
                instead: "await runtime.spawnCompute { ... } or await the .parallel operation instead."
            )
        }
        return try self.computePool.install(body)
    }
}
