import NIOCore

/// Design (a) of the async pool, for the spike: a NIO event loop used as a Swift `TaskExecutor`. Each job becomes
/// an `execute` closure on the loop (one allocation); a wake-up from another thread goes through the loop's
/// eventfd and `epoll_wait`.
final class NIOTaskExecutor: TaskExecutor, @unchecked Sendable {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        self.loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// The first loop of the default runtime's event-loop group (pinned to the async CPU), as a TaskExecutor.
let nioExecutor = NIOTaskExecutor(defaultRuntime.eventLoopGroup.next())
