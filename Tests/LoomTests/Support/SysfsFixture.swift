@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// Fake `/sys` trees in a temporary directory, read through a ``SysfsReader`` rooted there.
struct SysfsFixture {
    let directory: TemporaryDirectory
    /// A reader rooted at the tree. Keep the fixture alive while it is used (the tree goes with the fixture).
    var reader: SysfsReader { SysfsReader(root: self.directory.path) }

    /// The topology of the tree.
    func topology() -> Topology {
        withExtendedLifetime(self.directory) { Topology.discover(self.reader) }
    }

    /// A machine description: online CPUs, NUMA nodes (nil: no `node/` directory), SMT groups, packages.
    struct Machine {
        var online: String
        var nodes: [Int: String]?
        /// Each group lists the hardware threads of one core; CPUs in no group are single-thread cores.
        var cores: [[Int]] = []
        var packages: [Int: Int] = [:]
        /// CPUs whose siblings are only in the old `thread_siblings_list` file.
        var legacySiblingFiles: Set<Int> = []
        /// CPUs that have a `cpuN` directory but are offline (no topology files).
        var offline: [Int] = []
    }

    init(_ machine: Machine) throws {
        self.directory = try TemporaryDirectory("loom-sysfs")
        let cpuRoot = "sys/devices/system/cpu"
        try self.directory.write("\(cpuRoot)/online", machine.online + "\n")
        let online = try CPUSet(parsing: machine.online)
        for cpu in online {
            let siblings = machine.cores.first { $0.contains(cpu) } ?? [cpu]
            let list = CPUSet(siblings).description + "\n"
            let file = machine.legacySiblingFiles.contains(cpu) ? "thread_siblings_list" : "core_cpus_list"
            try self.directory.write("\(cpuRoot)/cpu\(cpu)/topology/\(file)", list)
            if let package = machine.packages[cpu] {
                try self.directory.write("\(cpuRoot)/cpu\(cpu)/topology/physical_package_id", "\(package)\n")
            }
        }
        for cpu in machine.offline { try self.directory.makeFolder("\(cpuRoot)/cpu\(cpu)") }
        if let nodes = machine.nodes {
            let nodeRoot = "sys/devices/system/node"
            try self.directory.write("\(nodeRoot)/online", nodes.keys.sorted().map(String.init).joined(separator: ","))
            try self.directory.write("\(nodeRoot)/possible", "0-\(nodes.keys.max() ?? 0)\n")
            for (node, cpus) in nodes { try self.directory.write("\(nodeRoot)/node\(node)/cpulist", cpus + "\n") }
        }
    }

    /// One socket, four cores, no SMT.
    static func oneSocket() throws -> SysfsFixture {
        try SysfsFixture(Machine(online: "0-3", nodes: [0: "0-3"], packages: [0: 0, 1: 0, 2: 0, 3: 0]))
    }

    /// Two sockets of four cores, one NUMA node each.
    static func twoSockets() throws -> SysfsFixture {
        try SysfsFixture(
            Machine(
                online: "0-7",
                nodes: [0: "0-3", 1: "4-7"],
                packages: Dictionary(uniqueKeysWithValues: (0..<8).map { ($0, $0 / 4) })
            )
        )
    }

    /// Eight CPUs, CPU 6 offline; one node.
    static func offlineCPUs() throws -> SysfsFixture {
        try SysfsFixture(Machine(online: "0-5,7", nodes: [0: "0-5,7"], offline: [6]))
    }

    /// Four cores with two hardware threads each, numbered Linux-style: CPU i and i + 4 share core i. CPUs 3 and 7
    /// only have the old `thread_siblings_list` file. No `node/` directory.
    static func smtPairs() throws -> SysfsFixture {
        try SysfsFixture(
            Machine(
                online: "0-7",
                nodes: nil,
                cores: [[0, 4], [1, 5], [2, 6], [3, 7]],
                legacySiblingFiles: [3, 7]
            )
        )
    }

    /// Two CPUs, no SMT.
    static func twoCPUs() throws -> SysfsFixture {
        try SysfsFixture(Machine(online: "0-1", nodes: [0: "0-1"]))
    }

    /// An empty tree: nothing to learn.
    static func empty() throws -> SysfsFixture {
        try SysfsFixture(directory: TemporaryDirectory("loom-sysfs-empty"))
    }

    private init(directory: TemporaryDirectory) {
        self.directory = directory
    }
}
