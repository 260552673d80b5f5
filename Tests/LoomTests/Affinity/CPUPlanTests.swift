import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("CPUPlan")
struct CPUPlanTests {
    private func plan(
        prefix: String = "loom",
        async: Int,
        compute: Int,
        pin: Bool = true,
        cpus: CPUSet,
        topology: Topology
    ) -> CPUPlan {
        CPUPlan.make(
            prefix: prefix,
            asyncThreads: async,
            computeThreads: compute,
            pinThreads: pin,
            cpus: cpus,
            topology: topology
        )
    }

    private func cpus(_ plan: CPUPlan, _ pool: LoomThreadInfo.Pool) -> [CPUSet] {
        plan.threads.filter { $0.pool == pool }.map(\.cpus)
    }

    @Test("one CPU: both pools share it, with one warning")
    func oneCPU() throws {
        let topology = Topology(online: [0], nodes: [0: [0]])
        let plan = self.plan(async: 1, compute: 1, cpus: [0], topology: topology)
        #expect(plan.asyncCPUs == [0])
        #expect(plan.computeCPUs == [0])
        #expect(plan.threads.map(\.cpus) == [[0], [0]])
        #expect(plan.warnings.count == 1)
        #expect(plan.warnings.first?.contains("Only one CPU (0)") == true)
    }

    @Test("two CPUs with 2 + 6 threads: async {0}, compute {1}, one warning")
    func twoCPUsOversubscribed() throws {
        let topology = try SysfsFixture.twoCPUs().topology()
        let plan = self.plan(prefix: "myapp", async: 2, compute: 6, cpus: topology.online, topology: topology)
        #expect(plan.asyncCPUs == [0])
        #expect(plan.computeCPUs == [1])
        #expect(self.cpus(plan, .async) == Array(repeating: [0], count: 2))
        #expect(self.cpus(plan, .compute) == Array(repeating: [1], count: 6))
        #expect(plan.warnings.count == 1)
        let warning = try #require(plan.warnings.first)
        #expect(warning.contains("2 async threads share CPU 0"))
        #expect(warning.contains("6 compute threads share CPU 1"))
        #expect(plan.threads.map(\.kernelName) == ["myapp-a0", "myapp-a1"] + (0..<6).map { "myapp-c\($0)" })
    }

    @Test("eight CPUs, default split: one async thread on CPU 0, one compute thread on each other CPU")
    func eightCPUsDefault() throws {
        let topology = try SysfsFixture.twoSockets().topology()
        let plan = self.plan(async: 1, compute: 7, cpus: topology.online, topology: topology)
        #expect(plan.asyncCPUs == [0])
        #expect(plan.computeCPUs == CPUSet(1...7))
        #expect(self.cpus(plan, .async) == [[0]])
        #expect(self.cpus(plan, .compute) == (1...7).map { CPUSet([$0]) })
        #expect(plan.warnings.isEmpty)
        #expect(plan.threads.map(\.name).first == "loom-async-0000")
        #expect(plan.threads.map(\.name).last == "loom-compute-0006")
        #expect(plan.threads.map(\.kernelName) == ["loom-async-0000"] + (0..<7).map { "loom-c\($0)" })
        #expect(plan.threads.map(\.index) == [0] + Array(0..<7))
    }

    @Test("one socket: two async threads take CPUs 0 and 1, compute the rest")
    func oneSocket() throws {
        let topology = try SysfsFixture.oneSocket().topology()
        let plan = self.plan(async: 2, compute: 2, cpus: topology.online, topology: topology)
        #expect(self.cpus(plan, .async) == [[0], [1]])
        #expect(self.cpus(plan, .compute) == [[2], [3]])
        #expect(plan.warnings.isEmpty)
    }

    @Test("offline CPUs are skipped: the plan uses the online CPUs it is given")
    func offline() throws {
        let topology = try SysfsFixture.offlineCPUs().topology()
        let plan = self.plan(async: 1, compute: 6, cpus: topology.online, topology: topology)
        #expect(plan.asyncCPUs == [0])
        #expect(plan.computeCPUs.description == "1-5,7")
        #expect(plan.warnings.isEmpty)
    }

    @Test("SMT pairs: an async CPU whose sibling computes draws one warning naming both")
    func smtPairs() throws {
        let topology = try SysfsFixture.smtPairs().topology()
        let plan = self.plan(async: 1, compute: 7, cpus: topology.online, topology: topology)
        #expect(plan.asyncCPUs == [0])
        #expect(plan.warnings.count == 1)
        let warning = try #require(plan.warnings.first)
        #expect(warning.contains("Async CPU 0 and compute CPU 4"))
        #expect(warning.contains("SMT"))

        // Leaving the sibling out (cpuset 0-3) removes the warning.
        let separate = self.plan(async: 1, compute: 3, cpus: CPUSet(0...3), topology: topology)
        #expect(separate.warnings.isEmpty)
    }

    @Test("pinning off: the same shares, but no thread is pinned, and no SMT advice")
    func pinningOff() throws {
        let topology = try SysfsFixture.smtPairs().topology()
        let plan = self.plan(async: 2, compute: 6, pin: false, cpus: topology.online, topology: topology)
        #expect(plan.asyncCPUs == [0, 1])
        #expect(plan.computeCPUs == CPUSet(2...7))
        #expect(plan.threads.count == 8)
        #expect(plan.threads.allSatisfy { $0.cpus.isEmpty })
        #expect(plan.warnings.isEmpty)
    }

    @Test("a pool with more threads than its CPUs pins each thread to the whole share")
    func computeOversubscribed() throws {
        let topology = try SysfsFixture.twoSockets().topology()
        let plan = self.plan(async: 2, compute: 10, cpus: topology.online, topology: topology)
        #expect(self.cpus(plan, .async) == [[0], [1]])
        #expect(self.cpus(plan, .compute) == Array(repeating: CPUSet(2...7), count: 10))
        #expect(plan.warnings.count == 1)
    }

    @Test("too many async threads: the compute pool still keeps one CPU")
    func asyncOversubscribed() throws {
        let topology = try SysfsFixture.oneSocket().topology()
        let plan = self.plan(async: 6, compute: 1, cpus: topology.online, topology: topology)
        #expect(plan.asyncCPUs == [0, 1, 2])
        #expect(plan.computeCPUs == [3])
        #expect(self.cpus(plan, .async) == Array(repeating: [0, 1, 2], count: 6))
        #expect(plan.warnings.count == 1)
    }

    @Test("fewer compute threads than CPUs: the compute CPUs are the ones its threads use")
    func computeUndersubscribed() throws {
        let topology = try SysfsFixture.twoSockets().topology()
        let plan = self.plan(async: 1, compute: 2, cpus: topology.online, topology: topology)
        #expect(plan.computeCPUs == [1, 2])
        #expect(plan.warnings.isEmpty)
    }

    @Test("a prefix too long for 15 bytes is shortened: names fit, are unique and start with the prefix")
    func longPrefix() throws {
        let topology = try SysfsFixture.twoSockets().topology()
        let plan = self.plan(
            prefix: "inference-server-prod",
            async: 2,
            compute: 12,
            cpus: CPUSet(0...7),
            topology: topology
        )
        let kernelNames = plan.threads.map(\.kernelName)
        #expect(kernelNames.allSatisfy { $0.utf8.count <= 15 })
        #expect(Set(kernelNames).count == kernelNames.count)
        #expect(kernelNames.allSatisfy { $0.hasPrefix("inference-s") })
        let asyncNames = plan.threads.filter { $0.pool == .async }.map(\.kernelName)
        let computeNames = plan.threads.filter { $0.pool == .compute }.map(\.kernelName)
        #expect(asyncNames == ["inference-se-a0", "inference-se-a1"])
        #expect(computeNames.first == "inference-s-c0")
        #expect(computeNames.last == "inference-s-c11")
        #expect(plan.threads.first?.name == "inference-server-prod-async-0000")
    }

    @Test(
        "kernel names follow the documented rule",
        arguments: [
            ("loom", LoomThreadInfo.Pool.async, 1, ["loom-async-0000"]),
            ("loom", .async, 2, ["loom-async-0000", "loom-async-0001"]),
            ("loom", .compute, 6, ["loom-c0", "loom-c1", "loom-c2", "loom-c3", "loom-c4", "loom-c5"]),
            ("loom", .io, 2, ["loom-io-0000", "loom-io-0001"]),
            ("myapp", .async, 2, ["myapp-a0", "myapp-a1"]),
            ("myapp", .compute, 1, ["myapp-c0"]),
            ("myapp", .io, 1, ["myapp-io-0000"]),
            ("myservice", .io, 1, ["myservice-n0"]),
            ("a-very-long-prefix", .compute, 2, ["a-very-long-c0", "a-very-long-c1"]),
            ("under_score_name_", .async, 1, ["under_score-a0"]),
            ("x", .compute, 0, []),
        ] as [(String, LoomThreadInfo.Pool, Int, [String])]
    )
    func kernelNames(prefix: String, pool: LoomThreadInfo.Pool, count: Int, expected: [String]) {
        #expect(ThreadNames.kernelNames(prefix: prefix, pool: pool, count: count) == expected)
    }

    @Test("the index width shrinks the prefix budget for large pools")
    func largePool() {
        let names = ThreadNames.kernelNames(prefix: "loomloomloom", pool: .compute, count: 1000)
        #expect(names.first == "loomloomlo-c0")
        #expect(names.last == "loomloomlo-c999")
        #expect(names.allSatisfy { $0.utf8.count <= 15 })
        #expect(Set(names).count == 1000)
    }

    @Test("non-ASCII prefixes are cut on UTF-8 bytes at a scalar boundary")
    func nonASCII() {
        // Each of these characters is three bytes in UTF-8; 12 bytes of budget keep four.
        let names = ThreadNames.kernelNames(prefix: "日本語のアプリ", pool: .compute, count: 4)
        #expect(names == ["日本語の-c0", "日本語の-c1", "日本語の-c2", "日本語の-c3"])
        #expect(names.allSatisfy { $0.utf8.count <= 15 })
        // 13 bytes of budget for a 2-byte script: six characters (12 bytes), never half a character.
        let greek = ThreadNames.kernelNames(prefix: "αβγδεζηθ", pool: .async, count: 1)
        #expect(greek == ["αβγδεζ-a0"])
    }

    @Test("thread descriptions name the thread, its kernel name and CPUs")
    func descriptions() {
        let pinned = LoomThreadInfo(
            pool: .compute,
            index: 3,
            name: "loom-compute-0003",
            kernelName: "loom-c3",
            cpus: [4]
        )
        #expect(pinned.description == "loom-compute-0003 (kernel name loom-c3) on CPU 4")
        let mask = LoomThreadInfo(pool: .async, index: 0, name: "a", kernelName: "a", cpus: [1, 2, 3])
        #expect(mask.description.hasSuffix("on CPUs 1-3"))
        let free = LoomThreadInfo(pool: .io, index: 0, name: "b", kernelName: "b", cpus: [])
        #expect(free.description.hasSuffix("unpinned"))
    }
}
