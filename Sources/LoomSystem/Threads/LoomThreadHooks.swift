/// Code that runs on each pool thread as it starts and as it exits: rayon's `start_handler`/`exit_handler`,
/// tokio's `on_thread_start`/`on_thread_stop`. Set them with ``LoomBuilder/onThreadStart(_:)`` and
/// ``LoomBuilder/onThreadExit(_:)`` for a runtime's async and compute threads, or pass them to
/// ``ComputePool/init(threads:name:onThreadStart:onThreadExit:)`` for a pool of your own.
///
/// `onStart` runs on the new thread before it takes its first job, with the thread's ``LoomThreadInfo`` (its CPUs
/// as the kernel really gave them: a thread whose pin was refused shows none). Inside it a compute thread already belongs
/// to its pool (`join` and `.parallel` run there), but a runtime's threads start while the runtime is still being
/// built, so ``LoomRuntime/current`` is still `nil` during `onStart` (it is set for everything the thread runs
/// afterwards). `onExit` runs on the thread after it ran its last job, once the pool is closing; there
/// ``LoomRuntime/current`` is the runtime, when it is closed with `close()` (not when it is dropped). Typical uses: thread-local caches, a per-thread allocator arena, registering the
/// thread with a profiler or a GPU context. Keep them short and do not wait in them for other pool work: the pool
/// does not start (or finish closing) until they return.
public struct LoomThreadHooks: Sendable {
    /// Runs on each new thread before its first job.
    public var onStart: (@Sendable (LoomThreadInfo) -> Void)?
    /// Runs on each thread after its last job.
    public var onExit: (@Sendable (LoomThreadInfo) -> Void)?

    /// Hooks that run `onStart` and `onExit` (either may be `nil`).
    public init(
        onStart: (@Sendable (LoomThreadInfo) -> Void)? = nil,
        onExit: (@Sendable (LoomThreadInfo) -> Void)? = nil
    ) {
        self.onStart = onStart
        self.onExit = onExit
    }

    /// Calls `onStart` with `info` as the calling thread really runs: unpinned if its affinity is not what was
    /// planned (the kernel refused the pin).
    package func threadStarted(_ info: LoomThreadInfo) {
        guard let onStart = self.onStart else { return }
        onStart(Self.asRunning(info))
    }

    /// Calls `onExit` with `info` as the calling thread really ran.
    package func threadExiting(_ info: LoomThreadInfo) {
        guard let onExit = self.onExit else { return }
        onExit(Self.asRunning(info))
    }

    private static func asRunning(_ info: LoomThreadInfo) -> LoomThreadInfo {
        guard !info.cpus.isEmpty, let actual = CPUSet.currentThreadAffinity(), actual != info.cpus else { return info }
        return info.unpinned
    }
}
