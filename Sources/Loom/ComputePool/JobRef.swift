// The compute pool keeps rayon-core's vocabulary: a *job* is a unit of work living in memory someone else owns
// (a caller's stack for `StackJob`, a heap block for `HeapJob`), and a *job ref* is the one-word handle to it that
// travels through deques and the injector.

/// How a job runs: implemented by each job type (`StackJob`, `HeapJob`, ...).
///
/// The job's memory starts with a ``JobHeader``; `execute` receives a pointer to that header and knows how to find
/// the rest of the job.
@usableFromInline
protocol JobExecutable {
    /// Runs the job. After the job signals completion (sets its latch) it must not touch its own memory again:
    /// the owner may return and reuse it at once.
    static func execute(_ header: UnsafeMutablePointer<JobHeader>)
}

/// The first stored property of every job: the type that knows how to run it.
///
/// An existential metatype (two words: type metadata and witness table) dispatches to the job's `execute` without
/// allocating a closure, which a generic function value would need.
@usableFromInline
struct JobHeader {
    @usableFromInline
    let kind: any JobExecutable.Type

    @inlinable
    init(kind: any JobExecutable.Type) { self.kind = kind }
}

/// A handle to a job: one pointer to its ``JobHeader``, so it fits one atomic word of a deque slot.
@usableFromInline
struct JobRef: Equatable, @unchecked Sendable {
    // Sendable: a job ref is handed from one thread to exactly one other through the deque or the injector,
    // whose release/acquire operations publish the job's memory before the receiver dereferences it.
    @usableFromInline
    let header: UnsafeMutablePointer<JobHeader>

    @inlinable
    init(_ header: UnsafeMutablePointer<JobHeader>) { self.header = header }

    @inlinable
    init(bits: UInt) { self.header = UnsafeMutablePointer(bitPattern: bits)! }

    @inlinable
    var bits: UInt { UInt(bitPattern: self.header) }

    /// Runs the job on the calling thread.
    @inlinable
    func execute() { self.header.pointee.kind.execute(self.header) }
}
