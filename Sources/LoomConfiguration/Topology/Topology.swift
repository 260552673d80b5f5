/// A snapshot of the machine's CPU topology as sysfs describes it: which CPUs are online, which NUMA node and
/// package each belongs to, and which CPUs are SMT siblings (hardware threads of one core).
///
/// Loom uses it for advice, not for placement: ``CPUPlan`` warns when an async thread and a compute thread would
/// share a core. Every read goes through a ``SysfsReader``, so tests build fixture trees and
/// `LOOM_SYSFS_ROOT` points Loom at one.
import LoomSystem

package struct Topology: Sendable, Equatable {
    /// The CPUs online now (`/sys/devices/system/cpu/online`).
    package var online: CPUSet
    /// NUMA node number -> its CPUs (`/sys/devices/system/node/nodeN/cpulist`). A node may have no CPUs (GPU or
    /// CXL memory). Without a `node/` directory every online CPU is on node 0.
    package var nodes: [Int: CPUSet]
    /// CPU -> the hardware threads of its core, itself included (`cpuN/topology/core_cpus_list`, or the older
    /// `thread_siblings_list`). A CPU whose files are missing is a core of its own.
    package var siblings: [Int: CPUSet]
    /// CPU -> physical package (socket) number (`cpuN/topology/physical_package_id`), where sysfs says.
    package var packages: [Int: Int]

    package init(online: CPUSet, nodes: [Int: CPUSet], siblings: [Int: CPUSet] = [:], packages: [Int: Int] = [:]) {
        self.online = online
        self.nodes = nodes
        self.siblings = siblings
        self.packages = packages
    }

    /// The NUMA node of `cpu`, or `nil` if no node lists it.
    package func node(of cpu: Int) -> Int? {
        self.nodes.keys.sorted().first { self.nodes[$0]!.contains(cpu) }
    }

    /// The hardware threads of `cpu`'s core, `cpu` included.
    package func coreCPUs(of cpu: Int) -> CPUSet {
        self.siblings[cpu] ?? [cpu]
    }

    /// Reads the topology through `reader`.
    ///
    /// Missing files degrade gracefully: without `cpu/online` the `cpuN` directories are counted; without
    /// `node/` everything is node 0; without `topology/` files each CPU is its own core. A tree with nothing in it
    /// gives an empty topology, which only means "no advice".
    package static func discover(_ reader: SysfsReader) -> Topology {
        let cpuRoot = "/sys/devices/system/cpu"
        let online = Self.cpuList(reader, "\(cpuRoot)/online") ?? Self.cpuDirectories(reader, cpuRoot)

        var nodes: [Int: CPUSet] = [:]
        let nodeRoot = "/sys/devices/system/node"
        for entry in reader.listDirectory(nodeRoot) {
            guard let node = Self.number(afterPrefix: "node", in: entry) else { continue }
            nodes[node] = Self.cpuList(reader, "\(nodeRoot)/\(entry)/cpulist") ?? CPUSet()
        }
        if nodes.isEmpty { nodes[0] = online }

        var siblings: [Int: CPUSet] = [:]
        var packages: [Int: Int] = [:]
        for cpu in online {
            let topology = "\(cpuRoot)/cpu\(cpu)/topology"
            if let core = Self.cpuList(reader, "\(topology)/core_cpus_list")
                ?? Self.cpuList(reader, "\(topology)/thread_siblings_list")
            {
                siblings[cpu] = core.union([cpu])
            }
            if let text = reader.readTrimmed("\(topology)/physical_package_id"), let package = Int(text),
                package >= 0
            {
                packages[cpu] = package
            }
        }
        return Topology(online: online, nodes: nodes, siblings: siblings, packages: packages)
    }

    /// A cpulist file; `nil` if it is missing or does not parse, the empty set if it is empty.
    private static func cpuList(_ reader: SysfsReader, _ path: String) -> CPUSet? {
        guard let text = reader.readTrimmed(path) else { return nil }
        if text.isEmpty { return CPUSet() }
        return try? CPUSet(parsing: text)
    }

    /// The CPUs that have a `cpuN` directory.
    private static func cpuDirectories(_ reader: SysfsReader, _ root: String) -> CPUSet {
        CPUSet(
            reader.listDirectory(root).compactMap { Self.number(afterPrefix: "cpu", in: $0) }
                .filter { $0 <= CPUSet.maximumCPU }
        )
    }

    /// `node12` -> 12 for prefix `node`; `nil` for `nodeX`, `online`, ...
    private static func number(afterPrefix prefix: String, in name: String) -> Int? {
        guard name.hasPrefix(prefix) else { return nil }
        let digits = name.dropFirst(prefix.count)
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }
}
