import CLoomSystem
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A named pthread pinned to the CPUs of a ``LoomThreadInfo``; both pools start their threads with it.
///
/// - The affinity is set in the thread *attribute* (`pthread_attr_setaffinity_np`), so the thread never runs on
///   another CPU, not even for its first instruction, and its first allocations land on the right NUMA node.
/// - The stack size is set in the attribute too.
/// - The kernel name (at most 15 bytes) and the priority are set from inside the thread before the body runs; a
///   pool's initializer (``startAll(_:stackSize:warn:body:stopStarted:)``) returns only once all its threads have
///   done so, so what `/proc` and `top` show matches ``runningInfo`` from then on.
/// - If the kernel refuses the affinity (`EINVAL`: the CPUs are offline or outside the cgroup cpuset), the
///   failure is reported through `warn` (the runtime's logger; standard error for a bare pool) and the thread is created again without it: it runs unpinned,
///   with the mask of the thread that started it. ``isPinned`` says which happened.
///
/// Call ``join()`` once the body is known to end; a thread that is never joined is detached when the last
/// reference to its `PinnedThread` goes away.
package final class PinnedThread: @unchecked Sendable {
    // Sendable: `handle` is written once in `start` before the object is shared; `joinState` is locked (a pthread mutex, visible to ThreadSanitizer).

    /// What the thread was asked to be: pool, index, names, CPUs.
    package let info: LoomThreadInfo
    /// `true` when the thread runs pinned to ``LoomThreadInfo/cpus``; `false` when pinning is off or failed.
    package let isPinned: Bool

    private let handle: pthread_t
    private let joinState = LockedValue(false)  // true once joined or detached
    /// Whether the kernel refused the idle priority the thread asked for. Shared with the thread alone — not the
    /// whole start context, whose body may hold the object that holds this thread (a cycle).
    private let priority: PriorityOutcome

    private init(info: LoomThreadInfo, handle: pthread_t, isPinned: Bool, priority: PriorityOutcome) {
        self.info = info
        self.handle = handle
        self.isPinned = isPinned
        self.priority = priority
    }

    /// ``info`` as the thread really runs: no CPUs when its pin was refused, normal priority when the idle priority
    /// was. Exact once the thread has tried, which ``startAll(_:stackSize:warn:body:stopStarted:)`` waits for; a
    /// thread from ``start(_:stackSize:warn:body:)`` reads as planned until then.
    package var runningInfo: LoomThreadInfo {
        let priority: LoomThreadInfo.Priority =
            self.priority.refused.load(ordering: .relaxed) ? .normal : self.info.priority  // Relaxed: a report.
        return self.info.with(cpus: self.isPinned ? self.info.cpus : CPUSet(), priority: priority)
    }

    deinit {
        let alreadyJoined = self.joinState.withLock { $0 }
        if !alreadyJoined { pthread_detach(self.handle) }
    }

    /// Starts a thread that runs `body` under `info`'s kernel name, pinned to `info.cpus` (unless empty).
    ///
    /// - Parameters:
    ///   - info: the thread's names and CPUs; empty ``LoomThreadInfo/cpus`` starts it unpinned.
    ///   - stackSize: the stack size in bytes (16 MiB by default).
    ///   - warn: where a refused pin or thread name is reported, with the thread it concerns (it may be called on the
    ///     new thread).
    ///   - body: the thread's work; the thread ends when it returns.
    /// - Returns: the running thread.
    /// - Throws: ``LoomError`` with code ``LoomError/Code/systemError`` when the thread cannot be created at
    ///   all (a bad stack size, no resources). A refused affinity is not an error.
    package static func start(
        _ info: LoomThreadInfo,
        stackSize: Int = 16 << 20,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void = PinnedThread.warnOnStandardError,
        body: @escaping @Sendable () -> Void
    ) throws(LoomError) -> PinnedThread {
        try Self.start(info, stackSize: stackSize, warn: warn, gate: nil, body: body)
    }

    /// ``start(_:stackSize:warn:body:)``, passing `gate` on the new thread once it is named and prioritised.
    private static func start(
        _ info: LoomThreadInfo,
        stackSize: Int,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void,
        gate: StartGate?,
        body: @escaping @Sendable () -> Void
    ) throws(LoomError) -> PinnedThread {
        if let code = Self.creationFailure.withLock({ $0?(info) }) {
            throw Self.startError(info, CreateError(code: code))
        }
        let before = Self.priorityBeforeLowering
        let context = ThreadContext(
            kernelName: info.kernelName,
            priority: info.priority,
            // A thread inherits the scheduling of the thread that creates it: one started on a borrower goes back to
            // what the borrower had before it lowered itself.
            restoring: info.priority == .normal && before >= 0 ? before : nil,
            warn: { warn($0, info) },
            gate: gate,
            body: body
        )
        if !info.cpus.isEmpty {
            switch Self.create(context, stackSize: stackSize, cpus: info.cpus) {
            case .success(let handle):
                return PinnedThread(info: info, handle: handle, isPinned: true, priority: context.outcome)
            case .failure(let error):
                let message =
                    "Could not pin thread \(info.kernelName) to \(info.cpus.count == 1 ? "CPU" : "CPUs") "
                    + "\(info.cpus): \(Self.errorName(error)) (CPU offline or outside the cgroup cpuset?); "
                    + "it runs unpinned."
                warn(message, info)
            }
        }
        switch Self.create(context, stackSize: stackSize, cpus: nil) {
        case .success(let handle):
            return PinnedThread(info: info, handle: handle, isPinned: false, priority: context.outcome)
        case .failure(let error): throw Self.startError(info, error)
        }
    }

    /// Starts one thread per entry of `infos`, in order, each running `body(index)`, and returns once every one of
    /// them has set its kernel name and priority (so `/proc`, `top` and ``runningInfo`` show them as they are; the
    /// bodies may not have started yet). If one cannot start, hands the threads that did start to `stopStarted`
    /// (which must make them exit and join them), then throws: no thread is left behind.
    package static func startAll(
        _ infos: [LoomThreadInfo],
        stackSize: Int,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void,
        body: (Int) -> @Sendable () -> Void,
        stopStarted: ([PinnedThread]) -> Void
    ) throws(LoomError) -> [PinnedThread] {
        var threads: [PinnedThread] = []
        threads.reserveCapacity(infos.count)
        let gate = StartGate(count: infos.count)
        do {
            for (index, info) in infos.enumerated() {
                threads.append(try Self.start(info, stackSize: stackSize, warn: warn, gate: gate, body: body(index)))
            }
        } catch {
            stopStarted(threads)
            throw error
        }
        gate.waitForAll()
        return threads
    }

    /// The default `warn` of ``start(_:stackSize:warn:body:)``: one line on standard error, prefixed `loom:`
    /// (a pool started without a runtime has no logger).
    package static let warnOnStandardError: @Sendable (String, LoomThreadInfo) -> Void = { message, _ in
        let line = Array("loom: warning: \(message)\n".utf8)
        _ = line.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    /// Fault injection for tests: when set, `start` consults it first, and an error number it returns makes the start
    /// fail as if `pthread_create` had returned it (`EAGAIN`: out of threads; `ENOMEM`).
    package static let creationFailure = LockedValue<(@Sendable (LoomThreadInfo) -> Int32?)?>(nil)

    private static func startError(_ info: LoomThreadInfo, _ error: CreateError) -> LoomError {
        LoomError(
            .systemError,
            description: "Could not start thread \(info.name): pthread_create failed with \(Self.errorName(error)); "
                + "the process may be out of threads or memory (see ulimit -u and the cgroup's pids.max).",
            reason: "pthread_create failed with \(Self.errorName(error))",
            value: info.name
        )
    }

    /// Waits for the thread to finish. Calling it again returns at once.
    ///
    /// - Important: never call it from the thread itself.
    package func join() {
        // Do not rename: profiles filter on it (a blocking wait).
        let shouldJoin = self.joinState.withLock { joined in
            defer { joined = true }
            return !joined
        }
        if shouldJoin { pthread_join(self.handle, nil) }
    }

    private struct CreateError: Error { let code: Int32 }

    /// One `pthread_create` with the stack size and, if given, the affinity in the attribute.
    private static func create(
        _ context: ThreadContext,
        stackSize: Int,
        cpus: CPUSet?
    ) -> Result<pthread_t, CreateError> {
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        var rc = pthread_attr_setstacksize(&attributes, stackSize)
        guard rc == 0 else { return .failure(CreateError(code: rc)) }
        if let cpus {
            var words = cpus.bitWords
            // At least a whole cpu_set_t (1024 bits), as glibc and the kernel expect.
            if words.count < 16 { words.append(contentsOf: repeatElement(0, count: 16 - words.count)) }
            rc = words.withUnsafeBufferPointer { cloom_attr_set_affinity(&attributes, $0.baseAddress, $0.count) }
            guard rc == 0 else { return .failure(CreateError(code: rc)) }
        }
        // The thread owns one retain of the context and releases it when it starts; on failure we release it.
        let unmanaged = Unmanaged.passRetained(context)
        #if canImport(Darwin)
        var handle: pthread_t?
        rc = pthread_create(&handle, &attributes, pinnedThreadEntry, unmanaged.toOpaque())
        guard rc == 0, let handle else {
            unmanaged.release()
            return .failure(CreateError(code: rc))
        }
        return .success(handle)
        #else
        var handle = pthread_t()
        rc = pthread_create(&handle, &attributes, pinnedThreadEntry, unmanaged.toOpaque())
        guard rc == 0 else {
            unmanaged.release()
            return .failure(CreateError(code: rc))
        }
        return .success(handle)
        #endif
    }

    /// `EINVAL (Invalid argument)`.
    private static func errorName(_ error: CreateError) -> String {
        let names: [Int32: String] = [EINVAL: "EINVAL", EPERM: "EPERM", EAGAIN: "EAGAIN", ENOMEM: "ENOMEM"]
        let text = String(cString: strerror(error.code))
        return names[error.code].map { "\($0) (\(text))" } ?? "error \(error.code) (\(text))"
    }
}

/// Whether a thread's idle priority was refused: written by the thread, read by its ``PinnedThread``.
private final class PriorityOutcome: Sendable {
    let refused = Atomic<Bool>(false)
}

/// What ``PinnedThread/startAll(_:stackSize:warn:body:stopStarted:)`` waits on: each new thread passes it once,
/// after naming itself and setting its priority and before its body. The last one to pass unparks the starter.
///
/// The new threads need nothing from the starter to get there (two system calls, and `warn` when one is refused),
/// so the wait ends. A starter that sees the count reach zero before the last thread's `unpark()` is left a stray
/// token, which only makes one later `park()` of that thread return early — every `park()` loop re-checks.
private final class StartGate: Sendable {
    private let remaining: Atomic<Int>
    private let starter = Parker.current

    init(count: Int) { self.remaining = Atomic(count) }

    /// On a new thread, once it is set up.
    func pass() {
        // Release: publishes the thread's set-up (its priority outcome); pairs with the acquire in waitForAll().
        if self.remaining.subtract(1, ordering: .releasing).newValue == 0 { self.starter.unpark() }
    }

    /// On the starter, once every thread was created.
    func waitForAll() {
        while self.remaining.load(ordering: .acquiring) > 0 { self.starter.park() }
    }
}

/// What the new thread needs: passed through the `pthread_create` context pointer, not through globals.
private final class ThreadContext: Sendable {
    let kernelName: String
    let priority: LoomThreadInfo.Priority
    let restoring: Int32?
    let warn: @Sendable (String) -> Void
    let gate: StartGate?
    let body: @Sendable () -> Void
    let outcome = PriorityOutcome()

    init(
        kernelName: String,
        priority: LoomThreadInfo.Priority,
        restoring: Int32?,
        warn: @escaping @Sendable (String) -> Void,
        gate: StartGate?,
        body: @escaping @Sendable () -> Void
    ) {
        self.kernelName = kernelName
        self.priority = priority
        self.restoring = restoring
        self.warn = warn
        self.gate = gate
        self.body = body
    }

    /// Runs on the new thread: names it, lowers its priority if asked, then runs the body.
    func run() {
        let rc = cloom_set_name_self(self.kernelName)
        if rc != 0 && rc != ENOSYS {
            self.warn("Could not name thread \(self.kernelName): \(String(cString: strerror(rc))).")
        }
        if self.priority == .idle {
            // The kernel applies a policy per thread, so it is set from inside; glibc's thread attributes do not
            // take SCHED_BATCH or SCHED_IDLE, nor a nice value.
            let rc = cloom_lower_priority_self(PinnedThread.idlePolicy)
            if rc != 0 {
                self.outcome.refused.store(true, ordering: .relaxed)  // Relaxed: read only for reports.
                if rc != ENOSYS {  // ENOSYS: a platform without these priorities; nothing to tell.
                    self.warn(
                        "Could not lower thread \(self.kernelName) to the idle priority: "
                            + "\(String(cString: strerror(rc))); it runs at normal priority."
                    )
                }
            }
        } else if let restoring = self.restoring {
            PinnedThread.restoreInheritedPriority(restoring, thread: self.kernelName, warn: self.warn)
        }
        self.gate?.pass()
        self.body()
    }
}

extension PinnedThread {
    /// On a thread just started by a compute thread that borrows the async CPUs (`before`: what
    /// ``priorityBeforeLowering`` gave on that creating thread), sets back the scheduling the borrower had before it
    /// lowered itself, which the new thread inherited; warns through `warn` when the process may not.
    package static func restoreInheritedPriority(
        _ before: Int32,
        thread name: String,
        warn: (String) -> Void
    ) {
        guard before >= 0, cloom_priority_self() != before else { return }
        let rc = cloom_restore_priority_self(before)
        if rc != 0 {
            warn(
                "Thread \(name) was started from a compute thread that borrows the async CPUs and inherited its idle "
                    + "priority, which could not be raised back: \(String(cString: strerror(rc))). Start Loom's lazily "
                    + "created threads (blocking pool, event loops) and other runtimes outside compute jobs."
            )
        }
    }

    /// On the calling thread: what its scheduling was before it lowered itself to the idle priority (a borrower),
    /// or -1 for any other thread. A thread it starts inherits the lowered scheduling.
    package static var priorityBeforeLowering: Int32 { cloom_priority_before_lowering() }

    /// How an idle-priority thread is scheduled: `SCHED_IDLE`, unless `LOOMTUNING_IDLE_POLICY` (read once) says
    /// `batch` for `SCHED_BATCH` at nice 19 with a 0.1 ms slice or `nice` for nice 19 under the normal policy (see
    /// `cloom_lower_priority_self`). The others are for measurement only: `Benchmarks/server.sh` compares them.
    package static let idlePolicy: Int32 = {
        guard let value = getenv("LOOMTUNING_IDLE_POLICY").map({ String(cString: $0) }) else { return 1 }
        return value == "batch" ? 0 : value == "nice" ? 2 : 1
    }()
}

#if canImport(Darwin)
private func pinnedThreadEntry(_ raw: UnsafeMutableRawPointer) -> UnsafeMutableRawPointer? {
    Unmanaged<ThreadContext>.fromOpaque(raw).takeRetainedValue().run()
    return nil
}
#else
private func pinnedThreadEntry(_ raw: UnsafeMutableRawPointer?) -> UnsafeMutableRawPointer? {
    Unmanaged<ThreadContext>.fromOpaque(raw!).takeRetainedValue().run()
    return nil
}
#endif
