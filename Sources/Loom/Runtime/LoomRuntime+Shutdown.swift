import LoomCompute
import LoomConfiguration
import LoomSystem
import NIOCore
import NIOPosix

extension LoomRuntime {
    /// Marks the runtime as shutting down, so that ``waitForShutdown()`` can return once nothing tracked is in
    /// flight. Idempotent. Nothing is cancelled and spawning still works (and is still tracked), as in loom-rs.
    public func shutdown() { self.tracker.shutdown() }

    /// Suspends until ``shutdown()`` has been called and no tracked task is in flight.
    ///
    /// A shutdown or a task finishing at the same moment as the call is never missed.
    public func waitForShutdown() async { await self.tracker.waitForShutdown() }

    /// Calls ``shutdown()`` and blocks the calling thread until no tracked task is in flight. The runtime stays
    /// usable afterwards.
    ///
    /// On the main thread it keeps the main queue running while it waits (see ``blockOn(_:)``).
    ///
    /// - Important: It is for synchronous code: from async code it does not compile (`noasync`). Reached anyway
    ///   through a synchronous function, it traps on a Loom thread and in the main actor's async code (the thread
    ///   would wait for work that may need it) and logs a warning on other threads inside a task. From async code
    ///   use `runtime.shutdown(); await runtime.waitForShutdown()`.
    @available(*, noasync, message: "from async code, call shutdown() and then await waitForShutdown()")
    public func blockUntilIdle() {
        BlockingWait.checkCaller(
            "blockUntilIdle",
            instead: "call shutdown() and then await waitForShutdown().",
            runtime: self
        )
        self.shutdown()
        self.tracker.blockUntilShutdownAndIdle()
    }

    /// Stops both pools and joins their threads, and shuts down the NIO event loops. Work already queued finishes
    /// first; a task that resumes later continues on the global concurrent executor. Idempotent.
    /// Dropping the last reference to the runtime does the same.
    ///
    /// - Important: Calling `close()` from a Loom thread traps: it would wait for itself. Close the runtime from
    ///   the thread that built it.
    public func close() {
        Self.preconditionNotOnLoomThread("close", instead: "Close the runtime from outside its threads.")
        self.shutDownPools(join: true)
    }

    /// Shared by `close()` and `deinit` (which cannot join when the last reference dies on a Loom thread).
    func shutDownPools(join: Bool) {
        let first = self.closed.withLock { closed in
            defer { closed = true }
            return !closed
        }
        guard first else { return }
        self.watchdog.withLock { $0 }?.stop()
        self.metricsReporter.withLock { $0 }?.loop.stop()
        self.console.withLock { $0 }?.stop()
        // The async side first: its queued jobs may still use the compute pool (spawnCompute, `.parallel`, which the
        // async and I/O threads run on this runtime's compute pool), and nothing on the compute pool waits for them.
        self.asyncPool.close(join: join)
        if let group = self.nio.withLock({ $0 }) {
            let handle = self.nioHandleRetain.withLock { $0 }
            if join {
                try? group.syncShutdownGracefully()
                handle?.release()
            } else {
                // The loops point at the compute pool (their default for `.parallel`) until they stop.
                let registry = self.computePool.registry
                group.shutdownGracefully { _ in
                    handle?.release()
                    withExtendedLifetime(registry) {}
                }
            }
        }
        if let blocking = self.blocking.withLock({ $0 }) {
            // Its threads are plain threads that only wait for work; queued calls still run.
            if join { try? blocking.pool.syncShutdownGracefully() } else { blocking.pool.shutdownGracefully { _ in } }
        }
        if join {
            self.computePool.close()
        } else {
            self.computePool.registry.terminate()
        }
    }
}
