/// A job on the heap, for work nobody waits for on the stack: `spawn` and the jobs of a scope (rayon-core's
/// `HeapJob`). The block is freed by the thread that runs it, before it runs the body.
import LoomSystem

@usableFromInline
package struct HeapJob {
    /// Must stay the first stored property (see ``JobRef``).
    package let header: JobHeader
    package let body: @Sendable () -> Void
    /// The scope to tell when the body has returned, if the job belongs to one.
    package let scope: CountLatch?

    /// Allocates a job and returns its ref. The job owns `body` until it runs.
    package static func make(_ body: @escaping @Sendable () -> Void, scope: CountLatch? = nil) -> JobRef {
        let block = UnsafeMutablePointer<HeapJob>.allocate(capacity: 1)
        block.initialize(to: HeapJob(header: JobHeader(kind: HeapJobKind.self), body: body, scope: scope))
        return JobRef(UnsafeMutableRawPointer(block).assumingMemoryBound(to: JobHeader.self))
    }
}

@usableFromInline
package enum HeapJobKind: JobExecutable {
    @usableFromInline
    package static func execute(_ header: UnsafeMutablePointer<JobHeader>) {
        let block = UnsafeMutableRawPointer(header).assumingMemoryBound(to: HeapJob.self)
        var body: (@Sendable () -> Void)? = block.pointee.body
        let scope = block.pointee.scope
        block.deinitialize(count: 1)
        block.deallocate()
        body!()
        // The closure, and whatever it captured, is released before the scope learns this job is done: when `scope`
        // returns, no spawned closure is still alive on some worker (as with a StackJob, and as broadcast requires).
        body = nil
        scope?.decrement()
    }
}
