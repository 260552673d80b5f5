import CLoomSystem
import LoomCompute
import LoomConfiguration
import LoomSystem
import NIOCore
import NIOPosix

extension LoomRuntime {
    /// A SwiftNIO `EventLoopGroup` on the async pool's CPUs, for NIO bootstraps, Hummingbird, Vapor and
    /// AsyncHTTPClient: servers and clients built on it do their I/O on Loom's async CPUs.
    ///
    /// ```swift
    /// let server = try await ServerBootstrap(group: runtime.eventLoopGroup)
    ///     .bind(host: "127.0.0.1", port: 8080) { … }
    /// ```
    ///
    /// The group is created on first use, with one event loop per async thread. Loop `i` runs on a thread named
    /// `{prefix}-io-NNNN` (see the kernel-name rule in the README) pinned like async thread `i`, and
    /// ``LoomRuntime/current`` is this runtime on it. The loops appear in ``threads`` from then on. Closing the
    /// runtime shuts the group down; do not shut it down yourself.
    ///
    /// Why NIO loops *beside* the async pool rather than the async pool itself: waking an epoll loop from another
    /// thread costs an eventfd write and an `epoll_wait` return, while Loom's own threads spin briefly before they
    /// park; `Documentation/Internals/AsyncPool.md` has the measurements.
    ///
    /// The type is the concrete `MultiThreadedEventLoopGroup` (not `any EventLoopGroup`), because some libraries
    /// take only that: grpc-swift 2's HTTP/2 transport, `NIOPosix` bootstraps' `validatingGroup`.
    public var eventLoopGroup: MultiThreadedEventLoopGroup {
        self.nio.withLock { existing -> MultiThreadedEventLoopGroup in
            if let existing { return existing }
            let group = self.makeEventLoopGroup()
            existing = group
            return group
        }
    }

    private func makeEventLoopGroup() -> MultiThreadedEventLoopGroup {
        let asyncThreads = self.configuration.threads.filter { $0.pool == .async }
        let prefix = self.configuration.prefix
        let infos = ThreadNames.threads(prefix: prefix, pool: .io, cpus: asyncThreads.map(\.cpus))
        // NIO creates the threads on this thread: if it is a borrower, they inherit its idle priority.
        let inherited = PinnedThread.priorityBeforeLowering
        let group = MultiThreadedEventLoopGroup(numberOfThreads: asyncThreads.count)
        // One reference held for the loops' thread-local slots; released when the group has shut down.
        let handle = Unmanaged.passRetained(self.handle)
        let registry = self.computePool.registry
        let logger = self.logger
        for (info, loop) in zip(infos, group.makeIterator()) {
            let raw = UInt(bitPattern: handle.toOpaque())
            // Runs on the loop's own thread before any channel is registered there.
            try? loop.submit {
                _ = info.kernelName.withCString { cloom_set_name_self($0) }
                PinnedThread.restoreInheritedPriority(inherited, thread: info.kernelName) {
                    logger.warning("\($0)", metadata: LoomRuntime.metadata(prefix, info))
                }
                if !info.cpus.isEmpty {
                    let rc = info.cpus.pinCurrentThread()
                    if rc != 0 {
                        logger.warning(
                            "Could not pin NIO thread \(info.name) to CPUs \(info.cpus) (error \(rc)); it runs unpinned.",
                            metadata: LoomRuntime.metadata(prefix, info)
                        )
                    }
                }
                cloom_set_current_runtime(UnsafeMutableRawPointer(bitPattern: raw))
                registry.becomeDefaultOfCurrentThread()
            }.wait()
        }
        self.ioThreads.withLock { $0 = infos }
        self.nioHandleRetain.withLock { $0 = handle }
        return group
    }
}
