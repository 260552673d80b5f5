import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

@Suite("Topology")
struct TopologyTests {
    @Test("one socket: four online CPUs on node 0, each its own core")
    func oneSocket() throws {
        let fixture = try SysfsFixture.oneSocket()
        let topology = fixture.topology()
        #expect(topology.online == [0, 1, 2, 3])
        #expect(topology.nodes == [0: [0, 1, 2, 3]])
        #expect(topology.node(of: 2) == 0)
        #expect(!topology.hasSMT)
        #expect(topology.coreCPUs(of: 1) == [1])
        #expect(topology.packageCount == 1)
    }

    @Test("two sockets: two NUMA nodes and two packages")
    func twoSockets() throws {
        let fixture = try SysfsFixture.twoSockets()
        let topology = fixture.topology()
        #expect(topology.online == CPUSet(0...7))
        #expect(topology.nodes == [0: [0, 1, 2, 3], 1: [4, 5, 6, 7]])
        #expect(topology.node(of: 3) == 0)
        #expect(topology.node(of: 4) == 1)
        #expect(topology.node(of: 8) == nil)
        #expect(topology.packageCount == 2)
        #expect(topology.packages[5] == 1)
    }

    @Test("offline CPUs are not listed, and have no siblings entry")
    func offline() throws {
        let fixture = try SysfsFixture.offlineCPUs()
        let topology = fixture.topology()
        #expect(topology.online.description == "0-5,7")
        #expect(!topology.online.contains(6))
        #expect(topology.siblings[6] == nil)
        #expect(topology.siblings[7] == [7])
    }

    @Test("SMT pairs come from core_cpus_list, or thread_siblings_list on older kernels")
    func smtPairs() throws {
        let fixture = try SysfsFixture.smtPairs()
        let topology = fixture.topology()
        #expect(topology.hasSMT)
        #expect(topology.coreCPUs(of: 0) == [0, 4])
        #expect(topology.coreCPUs(of: 5) == [1, 5])
        #expect(topology.coreCPUs(of: 3) == [3, 7])  // legacy file
        #expect(topology.coreCPUs(of: 7) == [3, 7])  // legacy file
    }

    @Test("without a node directory every online CPU is on node 0")
    func noNodeDirectory() throws {
        let fixture = try SysfsFixture.smtPairs()
        let topology = fixture.topology()
        #expect(topology.nodes == [0: CPUSet(0...7)])
    }

    @Test("without an online file the cpuN directories are counted")
    func noOnlineFile() throws {
        let directory = try TemporaryDirectory("loom-sysfs")
        for cpu in [0, 1, 2, 10] { try directory.makeFolder("sys/devices/system/cpu/cpu\(cpu)") }
        try directory.makeFolder("sys/devices/system/cpu/cpufreq")
        let topology = withExtendedLifetime(directory) { Topology.discover(SysfsReader(root: directory.path)) }
        #expect(topology.online == [0, 1, 2, 10])
    }

    @Test("a memory-only NUMA node has no CPUs")
    func memoryOnlyNode() throws {
        let fixture = try SysfsFixture(.init(online: "0-3", nodes: [0: "0-3", 1: ""]))
        let topology = fixture.topology()
        #expect(topology.nodes == [0: [0, 1, 2, 3], 1: []])
    }

    @Test("an empty tree gives an empty topology")
    func emptyTree() throws {
        let fixture = try SysfsFixture.empty()
        let topology = fixture.topology()
        #expect(topology.online.isEmpty)
        #expect(!topology.hasSMT)
    }

    @Test("this machine's topology lists the allowed CPUs as online")
    func live() throws {
        let topology = Topology.discover(.live)
        let allowed = try CPUSet.allowed()
        #expect(allowed.isSubset(of: topology.online))
    }
}
