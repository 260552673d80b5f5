/// A job that lives on the stack of the thread waiting for it (rayon-core's `StackJob`): the second closure of a
/// `join`, the body of an `install` from another thread. No heap allocation: the waiter declares it as a local
/// variable and does not return before the job's latch is set (or before it took the job back unexecuted).
///
/// The closure is an escaping *view* of a non-escaping closure (`withoutActuallyEscaping`); the job drops its copy
/// before setting the latch, so the closure has not escaped when the waiter's `withoutActuallyEscaping` ends.
@usableFromInline
struct StackJob<R, E: Error>: ~Copyable {
    /// Must stay the first stored property: a job ref points here and `execute` casts it back to the job.
    @usableFromInline
    let header: JobHeader
    @usableFromInline
    var body: (() throws(E) -> R)?
    @usableFromInline
    var result: Result<R, E>?
    @usableFromInline
    let latch: Latch

    @inlinable
    init(body: @escaping () throws(E) -> R, waiter: Parker) {
        self.header = JobHeader(kind: StackJobKind<R, E>.self)
        self.body = body
        self.result = nil
        self.latch = Latch(waiter: waiter)
    }

    /// Runs the body and stores its result; the body's copy is released before this returns.
    @inlinable
    mutating func run() {
        let body = self.body.take()!
        self.result = Result(catching: body)
    }

    /// Takes the result after the latch was seen set.
    @inlinable
    mutating func takeResult() -> Result<R, E> {
        precondition(self.latch.probe(), "Loom internal error: a stack job's result was read before its latch was set")
        return self.result.take()!
    }
}

/// The ``JobExecutable`` of a ``StackJob``: a separate, copyable type because a metatype of a non-copyable type
/// cannot live in a ``JobHeader``.
@usableFromInline
enum StackJobKind<R, E: Error>: JobExecutable {
    @usableFromInline
    static func execute(_ header: UnsafeMutablePointer<JobHeader>) {
        let job = UnsafeMutableRawPointer(header).assumingMemoryBound(to: StackJob<R, E>.self)
        job.pointee.run()
        // After this the job's memory belongs to its waiter again.
        job.pointee.latch.set()
    }
}

extension Result {
    /// `Result(catching:)` for typed throws.
    @inlinable
    init(catching body: () throws(Failure) -> Success) {
        do { self = .success(try body()) } catch { self = .failure(error) }
    }
}
