/// A job that lives on the stack of the thread waiting for it (rayon-core's `StackJob`): the second closure of a
/// `join`, the body of an `install` from another thread. No heap allocation: the waiter declares it as a local
/// variable and does not return before the job's latch is set (or before it took the job back unexecuted).
///
/// The job is not generic: its body is a `() -> Void` closure that writes the result into a local variable of the
/// waiter. (A generic `() -> R` stored in a generic job would need a reabstraction thunk, allocated on the heap
/// for every job.) The body is an escaping *view* of a non-escaping closure (`withoutActuallyEscaping`); the job
/// drops its copy before setting the latch, so the closure has not escaped when the waiter's
/// `withoutActuallyEscaping` ends.
import LoomSystem

@usableFromInline
package struct StackJob: ~Copyable {
    /// Must stay the first stored property: a job ref points here and `execute` casts it back to the job.
    @usableFromInline
    package let header: JobHeader
    @usableFromInline
    package var body: (() -> Void)?
    @usableFromInline
    package let latch: Latch

    @inlinable
    package init(body: @escaping () -> Void, waiter: LatchWaiter) {
        self.header = JobHeader(kind: StackJobKind.self)
        self.body = body
        self.latch = Latch(waiter: waiter)
    }

    /// Runs the body; the job's copy of it is released before this returns, so the closure has not escaped when
    /// the waiter's `withoutActuallyEscaping` checks it.
    @inlinable
    package mutating func run() {
        let body = self.body.take()!
        body()
    }

    /// A job ref to this job, which must not move while the ref is in use.
    @inlinable
    package static func ref(_ job: UnsafeMutablePointer<StackJob>) -> JobRef {
        JobRef(UnsafeMutableRawPointer(job).assumingMemoryBound(to: JobHeader.self))
    }
}

/// Declares a ``StackJob`` running `body` on the caller's stack and hands `use` a pointer to it.
///
/// `body` must be a closure *literal* at the call site: passed to this non-escaping parameter, its context (and any
/// variable it captures) stays on the stack. `withoutActuallyEscaping` then lends the job an escaping view of it,
/// which the job drops before its latch is set. (Calling `withoutActuallyEscaping` on a literal directly makes the
/// compiler box the captures on the heap.)
@inlinable
package func withStackJob<T>(
    running body: () -> Void,
    waiter: LatchWaiter,
    _ use: (UnsafeMutablePointer<StackJob>) -> T
) -> T {
    withoutActuallyEscaping(body) { body in
        var job = StackJob(body: body, waiter: waiter)
        return withUnsafeMutablePointer(to: &job, use)
    }
}

/// The ``JobExecutable`` of a ``StackJob`` (a separate, copyable type: a metatype of a non-copyable type cannot live
/// in a ``JobHeader``).
@usableFromInline
package enum StackJobKind: JobExecutable {
    @usableFromInline
    package static func execute(_ header: UnsafeMutablePointer<JobHeader>) {
        let job = UnsafeMutableRawPointer(header).assumingMemoryBound(to: StackJob.self)
        job.pointee.run()
        // After this the job's memory belongs to its waiter again.
        job.pointee.latch.set()
    }
}
