import CLoomSystem
import Foundation
import Synchronization
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// `share_async_cpus`: compute threads that borrow the async CPUs at idle priority.
@Suite("Sharing the async CPUs")
struct ShareAsyncCPUsTests {
    private func plan(async: Int, compute: Int, cpus: CPUSet, pin: Bool = true, share: Bool = true) -> CPUPlan {
        CPUPlan.make(
            prefix: "loom",
            asyncThreads: async,
            computeThreads: compute,
            pinThreads: pin,
            cpus: cpus,
            topology: Topology(online: cpus, nodes: [0: cpus]),
            shareAsyncCPUs: share
        )
    }

    // MARK: The plan

    @Test("two CPUs, 1 async + 2 compute: one compute thread on CPU 1, one borrower on both CPUs at idle priority")
    func twoCPUs() throws {
        let plan = self.plan(async: 1, compute: 2, cpus: [0, 1])
        let compute = plan.threads.filter { $0.pool == .compute }
        #expect(compute.map(\.cpus) == [[1], [0, 1]])
        #expect(compute.map(\.priority) == [.normal, .idle])
        #expect(plan.threads.filter { $0.pool == .async }.map(\.priority) == [.normal])
        #expect(plan.asyncCPUs == [0])
        #expect(plan.computeCPUs == [1])
        #expect(plan.borrowedCPUs == [0])
        #expect(plan.warnings.isEmpty, "a borrower is not oversubscription: \(plan.warnings)")
        #expect(compute[1].description.hasSuffix("on CPUs 0-1, idle priority"))
    }

    @Test("eight CPUs, 2 async + 8 compute: six own threads, two borrowers, none beyond one per async CPU")
    func borrowersPerAsyncCPU() throws {
        let plan = self.plan(async: 2, compute: 8, cpus: CPUSet(0...7))
        let compute = plan.threads.filter { $0.pool == .compute }
        #expect(compute.filter { $0.priority == .normal }.map(\.cpus) == (2...7).map { CPUSet([$0]) })
        #expect(compute.filter { $0.priority == .idle }.map(\.index) == [6, 7])
        #expect(compute.filter { $0.priority == .idle }.allSatisfy { $0.cpus == CPUSet(0...7) })
        #expect(plan.borrowedCPUs == [0, 1])
        #expect(plan.warnings.isEmpty)

        // Two more threads than own CPUs + async CPUs: one borrower per async CPU, the rest share the compute CPUs.
        let crowded = self.plan(async: 1, compute: 5, cpus: CPUSet(0...3))
        let crowdedCompute = crowded.threads.filter { $0.pool == .compute }
        #expect(crowdedCompute.map(\.priority) == [.normal, .normal, .normal, .normal, .idle])
        #expect(crowdedCompute.prefix(4).allSatisfy { $0.cpus == [1, 2, 3] })
        #expect(crowded.warnings.count == 1)
        #expect(crowded.warnings.first?.contains("(1 more borrowing the async CPUs)") == true)
        #expect(crowded.warnings.first?.contains("the 4 compute threads share CPUs 1-3") == true)
    }

    @Test("compute threads that fit on the compute CPUs borrow nothing, and a warning says how to borrow")
    func nothingToBorrow() throws {
        let plan = self.plan(async: 1, compute: 1, cpus: [0, 1])
        #expect(plan.threads.allSatisfy { $0.priority == .normal })
        #expect(plan.borrowedCPUs.isEmpty)
        #expect(plan.warnings.count == 1)
        let warning = try #require(plan.warnings.first)
        #expect(warning.contains("the 1 compute thread fits on the 1 compute CPU"))
        #expect(warning.contains("raise it to 2"))
    }

    @Test("one CPU: nothing to borrow, one warning besides the single-CPU one")
    func oneCPU() throws {
        let plan = self.plan(async: 1, compute: 2, cpus: [0])
        #expect(plan.threads.allSatisfy { $0.priority == .normal })
        #expect(plan.borrowedCPUs.isEmpty)
        #expect(plan.warnings.contains { $0.contains("share_async_cpus is on, but with 1 usable CPU") })
    }

    @Test("sharing off: the same counts oversubscribe the compute CPUs instead")
    func off() throws {
        let plan = self.plan(async: 1, compute: 2, cpus: [0, 1], share: false)
        #expect(plan.threads.allSatisfy { $0.priority == .normal })
        #expect(plan.threads.filter { $0.pool == .compute }.map(\.cpus) == [[1], [1]])
        #expect(plan.warnings.count == 1)
    }

    @Test("pinning off: the borrower is unpinned but keeps its idle priority")
    func unpinned() throws {
        let plan = self.plan(async: 1, compute: 2, cpus: [0, 1], pin: false)
        let borrower = try #require(plan.threads.last)
        #expect(borrower.cpus.isEmpty)
        #expect(borrower.priority == .idle)
        #expect(borrower.description.hasSuffix("unpinned, idle priority"))
    }

    @Test("only normal-priority threads count towards a pool's oversubscription")
    func oversubscription() throws {
        let plan = self.plan(async: 1, compute: 2, cpus: [0, 1])
        let compute = plan.threads.filter { $0.pool == .compute }
        #expect(Registry.isOversubscribed(compute) == false)
        let off = self.plan(async: 1, compute: 2, cpus: [0, 1], share: false)
        #expect(Registry.isOversubscribed(off.threads.filter { $0.pool == .compute }))
    }

    // MARK: Configuration

    @Test("every source sets the key; the default compute thread count grows by the async CPUs")
    func sources() throws {
        let two: CPUSet = [0, 1]
        let builder = try LoomBuilder.hermetic(allowed: two).shareAsyncCPUs(true).resolve()
        #expect(builder.shareAsyncCPUs)
        #expect(builder.computeThreads == 2)
        #expect(builder.borrowedCPUs == [0])
        #expect(builder.source(of: .shareAsyncCPUs).description.contains("shareAsyncCPUs"))

        let environment = try LoomBuilder.hermetic(allowed: two, environment: ["LOOM_SHARE_ASYNC_CPUS": "on"])
            .envPrefix("LOOM").resolve()
        #expect(environment.shareAsyncCPUs)
        #expect(environment.source(of: .shareAsyncCPUs).description == "environment variable LOOM_SHARE_ASYNC_CPUS")

        let flag = try LoomBuilder.hermetic(allowed: two).shareAsyncCPUs(true)
            .withCLIArgs(try LoomArguments.parse(["--no-loom-share-async-cpus"])).resolve()
        #expect(flag.shareAsyncCPUs == false)
        #expect(flag.computeThreads == 1)
        #expect(flag.borrowedCPUs.isEmpty)
        #expect(flag.source(of: .shareAsyncCPUs).description == "flag --no-loom-share-async-cpus")

        let scratch = try TemporaryDirectory("loom-share")
        let file = try LoomBuilder.hermetic(allowed: CPUSet(0...3))
            .file(try scratch.write("share.toml", "share_async_cpus = true\nasync_threads = 2\n")).resolve()
        #expect(file.shareAsyncCPUs)
        #expect(file.computeThreads == 4, "2 own + 2 borrowers")
        #expect(file.borrowedCPUs == [0, 1])

        let defaults = try LoomBuilder.hermetic(allowed: two).resolve()
        #expect(defaults.shareAsyncCPUs == false, "off by default")
        #expect(defaults.computeThreads == 1)
    }

    @Test("a value that is not a boolean is a LoomError naming it, the key and the source")
    func badValue() throws {
        expectLoomError(
            LoomBuilder.hermetic(environment: ["LOOM_SHARE_ASYNC_CPUS": "sometimes"]).envPrefix("LOOM"),
            .invalidConfiguration,
            containing: [
                "\"sometimes\"", "share_async_cpus", "environment variable LOOM_SHARE_ASYNC_CPUS", "true or false",
            ]
        )
    }

    @Test("loom info shows the setting, the borrowed CPUs and the borrower's priority")
    func info() throws {
        let configuration = try LoomBuilder.hermetic(allowed: [0, 1]).shareAsyncCPUs(true).resolve()
        let text = configuration.infoText
        #expect(text.contains("share_async_cpus   true (borrows CPUs 0)"))
        #expect(text.contains("borrowed 0 (async CPUs, by idle-priority compute threads)"))
        #expect(
            text.split(separator: "\n").contains { $0.contains("loom-compute-0001") && $0.hasSuffix("(idle priority)") }
        )
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(configuration.infoJSON.utf8)) as? [String: Any]
        )
        #expect(json["share_async_cpus"] as? Bool == true)
        #expect(json["borrowed_cpus"] as? String == "0")
        let threads = try #require(json["threads"] as? [[String: String]])
        #expect(threads.map { $0["priority"] } == ["normal", "normal", "idle"])
    }

    // MARK: The runtime

    @Test("a runtime's borrower runs at the idle priority and takes part in the pool's work")
    func runtime() async throws {
        let runtime = try LoomBuilder.hermetic(allowed: [0, 1]).prefix("share").asyncThreads(1).pinThreads(false)
            .shareAsyncCPUs(true).build()
        defer { runtime.close() }
        #expect(runtime.threads.filter { $0.pool == .compute }.map(\.priority) == [.normal, .idle])
        // The borrower is a member of the pool: a broadcast reaches both workers.
        #expect(runtime.computePool.broadcast { index in index } == [0, 1])
        #if os(Linux)
        // What each worker's kernel scheduling really is (policy * 100 + nice + 20): the normal worker under
        // SCHED_OTHER, the borrower under SCHED_IDLE (policy 5), or SCHED_BATCH at nice 19 (339) / nice 19 (39) when
        // LOOMTUNING_IDLE_POLICY says so.
        let priorities = runtime.computePool.broadcast { _ in cloom_priority_self() }
        #expect(priorities[0] >= 0 && priorities[0] / 100 == 0, "normal worker: \(priorities[0])")
        if ProcessInfo.processInfo.environment["LOOMTUNING_IDLE_POLICY"] == nil {
            #expect(priorities[1] / 100 == 5, "borrower scheduling: \(priorities[1])")
        } else {
            #expect(priorities[1] == 339 || priorities[1] == 39, "borrower scheduling: \(priorities[1])")
        }
        #endif
        let total = await runtime.spawnCompute { (0..<100_000).parallel.map { $0 &* 3 }.reduce(0, &+) }
        #expect(total == (0..<100_000).reduce(0) { $0 &+ $1 &* 3 })
    }

    #if os(Linux)
    @Test("a thread Loom starts from a borrower gets the borrower's original priority back, or a warning says why not")
    func inheritedPriority() throws {
        let runtime = try LoomBuilder.hermetic(allowed: [0, 1]).prefix("inherit").asyncThreads(1).pinThreads(false)
            .shareAsyncCPUs(true).build()
        defer { runtime.close() }
        let outcome = runtime.computePool.broadcast { index -> (before: Int32, child: Int32, warnings: [String]) in
            let before = cloom_priority_before_lowering()
            let warnings = LockedValue<[String]>([])
            let child = LockedValue<Int32>(-1)
            let info = LoomThreadInfo(pool: .blocking, index: 0, name: "child", kernelName: "inherit-child", cpus: [])
            let thread = try! PinnedThread.start(info, warn: { message, _ in warnings.withLock { $0.append(message) } })
            {
                child.withLock { $0 = cloom_priority_self() }
            }
            thread.join()
            return (before, child.withLock { $0 }, warnings.withLock { $0 })
        }
        // The blocking pool's threads (NIO's, created on the thread that first asks for the pool): first asked for
        // on the borrower.
        let blocking = runtime.computePool.broadcast { index -> Int32 in
            guard index == 1 else { return -1 }
            let seen = LockedValue<Int32>(-1)
            let done = DispatchSemaphore(value: 0)
            runtime.blockingPool.submit { _ in
                seen.withLock { $0 = cloom_priority_self() }
                done.signal()
            }
            done.wait()
            return seen.withLock { $0 }
        }
        #expect(outcome[0].before == -1, "the normal worker never lowered itself")
        let borrower = outcome[1]
        #expect(borrower.before >= 0)
        #expect(
            borrower.child == borrower.before
                || borrower.warnings.contains { $0.contains("inherited its idle priority") },
            "child \(borrower.child), borrower before \(borrower.before), warnings \(borrower.warnings)"
        )
        // Restored when the process may (as for the PinnedThread above), else left lowered with a warning.
        if borrower.child == borrower.before {
            #expect(blocking[1] == borrower.before, "a blocking thread kept the borrower's priority: \(blocking[1])")
        }
    }
    #endif

    @Test("an idle async thread stops spinning while a borrower runs a job, and only then")
    func asyncStopsSpinning() throws {
        let borrower = Sleeper(measuresTime: false)
        let info = LoomThreadInfo(pool: .async, index: 0, name: "spin-0", kernelName: "spin-a0", cpus: [])
        let pool = try AsyncPool(threads: [info], borrowers: [borrower], warn: { _, _ in })
        defer { pool.close() }
        #expect(pool.isComputeSaturated == false, "a starting borrower")
        borrower.enter(.running)
        #expect(pool.isComputeSaturated)
        borrower.enter(.searching)
        #expect(pool.isComputeSaturated == false)
        borrower.enter(.parked)
        #expect(pool.isComputeSaturated == false)

        let plain = try AsyncPool(threads: [info], warn: { _, _ in })
        defer { plain.close() }
        #expect(plain.isComputeSaturated == false, "no borrowers, not contended")
    }

    @Test("a timed sleep withdraws when it times out, and a wake-up racing the timeout is counted once")
    func timedSleepWithdraws() {
        let member = Sleeper(measuresTime: false)
        let sleep = Sleep(members: [member])
        sleep.sleep(member, atMost: 1_000_000) { false }  // Nobody wakes it: it times out.
        #expect(sleep.sleepers.load(ordering: .relaxed) == 0)
        #expect(member.isListedAsleep == false)

        // A waker claiming the member as fast as it can, against 20 000 short timed sleeps: each sleep ends either
        // way, and the count of sleepers must come back to exactly zero (a withdrawal that did not check for a
        // claim would subtract twice; one that forgot the count would leave it above zero).
        let stop = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        let claims = Atomic<Int>(0)
        DispatchQueue.global().async {
            while !stop.load(ordering: .relaxed) {
                if member.isListedAsleep {
                    sleep.wakeOne()
                    claims.add(1, ordering: .relaxed)
                }
            }
            finished.signal()
        }
        for _ in 0..<20_000 { sleep.sleep(member, atMost: 5_000) { false } }
        stop.store(true, ordering: .relaxed)
        finished.wait()
        #expect(sleep.sleepers.load(ordering: .relaxed) == 0)
        #expect(member.isListedAsleep == false)
        #expect(claims.load(ordering: .relaxed) > 0, "the waker never found the member asleep")
    }

    @Test("while a borrower runs a job, an idle async thread parks for a bounded time and wakes by itself")
    func asyncTimedPark() async throws {
        let borrower = Sleeper(measuresTime: false)
        let info = LoomThreadInfo(pool: .async, index: 0, name: "timed-0", kernelName: "timed-a0", cpus: [])
        let pool = try AsyncPool(threads: [info], borrowers: [borrower], warn: { _, _ in })
        defer { pool.close() }
        let parks = { pool.diagnostics().threads[0].parks }
        borrower.enter(.running)
        // Wake the thread once, so that its next park starts while the borrower runs.
        await Task(executorPreference: pool) {}.value
        let first = parks()
        // Parked until woken, the count would stop at first + 1 (nothing else wakes the thread); timed parks end by
        // themselves, each followed by another. The deadline only bounds the wait for a broken build.
        let deadline = ContinuousClock.now + .seconds(30)
        while parks() < first + 4 && ContinuousClock.now < deadline { await Task.yield() }
        #expect(parks() >= first + 4, "parks since the job: \(parks() - first)")
        #expect(pool.diagnostics().sleepers <= 1)

        // Once the borrower stops, the thread parks until woken again: the count settles.
        borrower.enter(.parked)
        await Task(executorPreference: pool) {}.value
        let settled = parks()
        await Task(executorPreference: pool) {}.value
        #expect(parks() <= settled + 2, "parks after the borrower stopped: \(parks() - settled)")
    }
}
