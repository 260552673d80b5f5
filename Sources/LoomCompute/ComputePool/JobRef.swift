// The compute pool keeps rayon-core's vocabulary: a *job* is a unit of work living in memory someone else owns
// (a caller's stack for `StackJob`, a heap block for `HeapJob`), and a *job ref* is the one-word handle to it that
// travels through deques and the injector.
import LoomSystem

/// How a job runs: implemented by each job type (`StackJob`, `HeapJob`, ...).
///
/// The job's memory starts with a ``JobHeader``; `execute` receives a pointer to that header and knows how to find
/// the rest of the job.
@usableFromInline
package protocol JobExecutable {
    /// Runs the job. After the job signals completion (sets its latch) it must not touch its own memory again:
    /// the owner may return and reuse it at once.
    static func execute(_ header: UnsafeMutablePointer<JobHeader>)
}

/// The first stored property of every job: the type that knows how to run it.
///
/// An existential metatype (two words: type metadata and witness table) dispatches to the job's `execute` without
/// allocating a closure, which a generic function value would need.
@usableFromInline
package struct JobHeader {
    @usableFromInline
    package let kind: any JobExecutable.Type

    @inlinable
    package init(kind: any JobExecutable.Type) { self.kind = kind }
}

/// A handle to a job: one word, so it fits one atomic deque slot. Either a pointer to a ``JobHeader``, or — with
/// the lowest bit set — a Swift concurrency job (a task hopping onto the compute pool through its `TaskExecutor`,
/// see `ComputeTaskExecutor`). Both kinds of pointer are at least 8-byte aligned, so the bit is free.
@usableFromInline
package struct JobRef: Equatable, @unchecked Sendable {
    // Sendable: a job ref is handed from one thread to exactly one other through the deque or the injector,
    // whose release/acquire operations publish the job's memory before the receiver dereferences it.
    @usableFromInline
    package let bits: UInt

    @usableFromInline
    package static let taskTag: UInt = 1

    @inlinable
    package init(_ header: UnsafeMutablePointer<JobHeader>) { self.bits = UInt(bitPattern: header) }

    @inlinable
    package init(bits: UInt) { self.bits = bits }

    /// A ref to a Swift concurrency job.
    @inlinable
    package init(task: UnownedJob) { self.bits = unsafeBitCast(task, to: UInt.self) | Self.taskTag }

    /// `true` for a Swift concurrency job, which must run through ``WorkerThread/execute(_:)``.
    @inlinable
    package var isTask: Bool { self.bits & Self.taskTag != 0 }

    /// The concurrency job of a task ref.
    @inlinable
    package var task: UnownedJob { unsafeBitCast(self.bits & ~Self.taskTag, to: UnownedJob.self) }

    @inlinable
    package var header: UnsafeMutablePointer<JobHeader> { UnsafeMutablePointer(bitPattern: self.bits)! }

    /// Runs a (non-task) job on the calling thread.
    @inlinable
    package func execute() { self.header.pointee.kind.execute(self.header) }
}
