import CLoomSystem
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if os(Linux)
@Suite("PinnedThread", .timeLimit(.minutes(10)))
struct PinnedThreadTests {
    /// Starts a thread that reports its kernel thread id and then waits until the test has looked at it.
    private func inspect(
        _ info: LoomThreadInfo,
        warn: @escaping @Sendable (String, LoomThreadInfo) -> Void = PinnedThread.warnOnStandardError,
        _ check: (Int, PinnedThread) throws -> Void
    ) throws {
        let started = Gate<Int>()
        let release = Gate<Bool>()
        let thread = try PinnedThread.start(info, warn: warn) {
            started.open(with: cloom_gettid())
            _ = release.wait()
        }
        let tid = started.wait()
        defer {
            release.open(with: true)
            thread.join()
        }
        try check(tid, thread)
    }

    private func status(_ tid: Int, _ field: String) throws -> String {
        let status = try #require(SysfsReader.live.readString("/proc/self/task/\(tid)/status"))
        let line = try #require(status.split(separator: "\n").first { $0.hasPrefix(field + ":") })
        return line.dropFirst(field.count + 1).trimmingWhitespace
    }

    @Test("a started thread carries its kernel name and runs only on its CPU")
    func nameAndAffinity() throws {
        let cpu = try #require(try CPUSet.allowed().last)
        let info = LoomThreadInfo(
            pool: .compute,
            index: 3,
            name: "loomtest-compute-0003",
            kernelName: "loomtest-c3",
            cpus: [cpu]
        )
        try self.inspect(info) { tid, thread throws in
            let comm = SysfsReader.live.readTrimmed("/proc/self/task/\(tid)/comm")
            #expect(comm == "loomtest-c3")
            #expect(try self.status(tid, "Cpus_allowed_list") == "\(cpu)")
            #expect(thread.isPinned)
            #expect(thread.info == info)
        }
    }

    @Test("a thread may be pinned to a mask of several CPUs")
    func mask() throws {
        let allowed = try CPUSet.allowed()
        let info = LoomThreadInfo(pool: .async, index: 0, name: "mask", kernelName: "loomtest-mask", cpus: allowed)
        try self.inspect(info) { tid, _ throws in
            #expect(try self.status(tid, "Cpus_allowed_list") == allowed.description)
        }
    }

    @Test("a refused affinity is logged and the thread runs unpinned")
    func refusedAffinity() throws {
        let allowed = try CPUSet.allowed()
        let absent = 4095  // far above the CPUs of any machine the tests run on
        try #require(!allowed.contains(absent))
        let info = LoomThreadInfo(pool: .compute, index: 0, name: "x", kernelName: "loomtest-free", cpus: [absent])
        let warnings = LockedValue<[(String, LoomThreadInfo)]>([])
        try self.inspect(info, warn: { message, thread in warnings.withLock { $0.append((message, thread)) } }) {
            tid,
            thread throws in
            #expect(!thread.isPinned)
            #expect(SysfsReader.live.readTrimmed("/proc/self/task/\(tid)/comm") == "loomtest-free")
            let mask = try CPUSet(parsing: try self.status(tid, "Cpus_allowed_list"))
            #expect(!mask.contains(absent))
            #expect(!mask.isEmpty)
        }
        // Reported once, to the caller's handler (a runtime's logger), naming the thread and the CPU.
        let reported = warnings.withLock { $0 }
        #expect(reported.count == 1)
        #expect(reported.first?.0.contains("Could not pin thread loomtest-free to CPU 4095") == true)
        #expect(reported.first?.1 == info)
    }

    @Test("startAll returns once every thread carries its kernel name, before any body is let go")
    func startAllWaitsForNames() throws {
        // Without the wait, a thread created last has often not run yet when the starter looks (20 rounds of 3).
        for round in 0..<20 {
            let infos = (0..<3).map { index in
                LoomThreadInfo(
                    pool: .compute,
                    index: index,
                    name: "gate-\(index)",
                    kernelName: "loomgate\(round % 10)-\(index)",
                    cpus: []
                )
            }
            let release = Gate<Bool>()
            let threads = try PinnedThread.startAll(
                infos,
                stackSize: 1 << 20,
                warn: PinnedThread.warnOnStandardError,
                body: { _ in { _ = release.wait() } },
                stopStarted: { _ in Issue.record("no thread may fail to start here") }
            )
            let names = Set(LivenessTests.threadNames())
            release.open(with: true)
            for thread in threads { thread.join() }
            for info in infos {
                #expect(names.contains(info.kernelName), "round \(round): \(info.kernelName) not named yet")
            }
        }
    }

    @Test("a runtime's threads carry their kernel names when build() returns")
    func runtimeThreadsNamedAtBuild() throws {
        for round in 0..<5 {
            let runtime = try LoomBuilder().prefix("gate\(round)").asyncThreads(1).computeThreads(2).build()
            let names = Set(LivenessTests.threadNames())
            let expected = runtime.threads.filter { $0.pool == .async || $0.pool == .compute }
            runtime.close()
            #expect(expected.count == 3)
            for info in expected {
                #expect(names.contains(info.kernelName), "round \(round): \(info.kernelName) not named yet")
            }
        }
    }

    @Test("an empty CPU set starts the thread unpinned; join twice is harmless")
    func unpinned() throws {
        let info = LoomThreadInfo(pool: .io, index: 0, name: "free", kernelName: "loomtest-n0", cpus: [])
        let done = Gate<Bool>()
        let thread = try PinnedThread.start(info, stackSize: 1 << 20) { done.open(with: true) }
        #expect(done.wait())
        thread.join()
        thread.join()
        #expect(!thread.isPinned)
    }

    @Test("a finished thread's body is released while its PinnedThread is still held (no cycle through the body)")
    func bodyReleased() throws {
        let info = LoomThreadInfo(pool: .io, index: 0, name: "body", kernelName: "loomtest-body", cpus: [])
        weak var released: ReleaseToken?
        var thread: PinnedThread?
        do {
            let token = ReleaseToken()
            released = token
            thread = try PinnedThread.start(info, stackSize: 1 << 20) { withExtendedLifetime(token) {} }
        }
        thread?.join()
        #expect(released == nil, "the body (and what it holds) outlived the thread")
        #expect(thread?.runningInfo.priority == .normal)
    }

    @Test("an impossible stack size is a LoomError, not a crash")
    func badStack() {
        let info = LoomThreadInfo(pool: .io, index: 0, name: "stack", kernelName: "loomtest-stack", cpus: [])
        #expect(throws: LoomError.self) {
            _ = try PinnedThread.start(info, stackSize: 1) {}
        }
    }
}
/// An object whose lifetime a test watches.
private final class ReleaseToken: Sendable {}
#endif
