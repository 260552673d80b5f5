import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// A DGX-like machine: two sockets of 32 cores with SMT, one GPU on each NUMA node, and a MIG instance on the
/// second GPU. CPUs above 63 make every mask span two or more words.
enum DGX {
    static let uuid0 = "GPU-11111111-2222-3333-4444-000000000017"
    static let uuid1 = "GPU-aaaaaaaa-2222-3333-4444-0000000000b3"
    static let mig1 = "MIG-5c1e0000-6666-7777-8888-000000000001"
    static let node0 = "0-31,64-95"
    static let node1 = "32-63,96-127"
    static let model = "NVIDIA H100 80GB HBM3"

    static let scenario = """
        # two H100s, busIds as NVML writes them (8-digit upper-case domain)
        gpu \(uuid0) 00000000:17:00.0 \(node0) name=\(model)
        gpu \(uuid1) 00000000:B3:00.0 \(node1) name=\(model)
        mig \(mig1) 1

        """

    /// The sysfs tree (and /proc/driver/nvidia) of that machine, with an Intel device and the GPU's HDMI audio
    /// function beside the GPUs, which the sysfs fallback must skip.
    static func sysfs(_ machine: FakeGPUMachine, numaNode0: Int = 0, localCPUs0: String = node0) throws {
        try machine.addPCIDevice("0000:17:00.0", numaNode: numaNode0, localCPUs: localCPUs0)
        try machine.addPCIDevice("0000:b3:00.0", numaNode: 1, localCPUs: node1)
        try machine.addPCIDevice("0000:17:00.1", pciClass: "0x040300", numaNode: numaNode0, localCPUs: localCPUs0)
        try machine.addPCIDevice("0000:00:1f.0", vendor: "0x8086", pciClass: "0x060100", numaNode: 0, localCPUs: node0)
        try machine.addNVIDIAInformation("0000:17:00.0", uuid: uuid0, model: model)
        try machine.addNVIDIAInformation("0000:b3:00.0", uuid: uuid1, model: model)
    }

    /// A machine with NVML and sysfs.
    static func machine(nvml: Bool = true, legacy: Bool = false) throws -> FakeGPUMachine {
        let machine = try FakeGPUMachine()
        try Self.sysfs(machine)
        if nvml { try machine.installNVML(scenario: Self.scenario, legacy: legacy) }
        return machine
    }
}

/// Serialized: each test loads its own copy of the fake NVML library and the reader unloads it again; copies loaded
/// and unloaded on several threads at once land at the same addresses, which ThreadSanitizer then reports as a race
/// on the library's globals (it does not see the unmapping between the two uses).
@Suite("GPULocator", .serialized)
struct GPULocatorTests {
    // MARK: Two GPUs, NVML and sysfs agreeing

    @Test("two GPUs on two NUMA nodes resolve to their own nodes' CPUs")
    func twoGPUs() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let probe = try FakeNVMLProbe(path: #require(machine.nvmlPath))
        let (first, firstDiagnostics) = try GPULocator.resolve(.ordinal(0), context: machine.context())
        let (second, secondDiagnostics) = try GPULocator.resolve(.ordinal(1), context: machine.context())

        #expect(
            first
                == GPUDevice(
                    index: 0,
                    uuid: DGX.uuid0,
                    name: DGX.model,
                    pciBusID: "0000:17:00.0",
                    numaNode: 0,
                    localCPUs: try CPUSet(parsing: DGX.node0)
                )
        )
        #expect(second.index == 1)
        #expect(second.uuid == DGX.uuid1)
        #expect(second.pciBusID == "0000:b3:00.0")
        #expect(second.numaNode == 1)
        #expect(second.localCPUs == (try CPUSet(parsing: DGX.node1)))
        #expect(firstDiagnostics.isEmpty)
        #expect(secondDiagnostics.isEmpty)
        // The newest symbols are used, and every successful init is shut down.
        #expect(probe.openInits == 0)
        #expect(probe.calls.filter { $0.hasPrefix("nvmlInit") } == ["nvmlInit_v2", "nvmlInit_v2"])
        #expect(probe.calls.filter { $0 == "nvmlShutdown" }.count == 2)
        #expect(probe.calls.contains("nvmlDeviceGetPciInfo_v3"))
        #expect(probe.calls.contains("nvmlDeviceGetCpuAffinityWithinScope"))
        #expect(!probe.calls.contains("nvmlDeviceGetPciInfo_v2"))
    }

    @Test("list returns every GPU in NVML index order")
    func list() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let (devices, diagnostics) = try GPULocator.list(context: machine.context())
        #expect(devices.map(\.pciBusID) == ["0000:17:00.0", "0000:b3:00.0"])
        #expect(devices.map(\.uuid) == [DGX.uuid0, DGX.uuid1])
        #expect(diagnostics.isEmpty)

        // `loom info --list-gpus` renders the same list, as text and as JSON.
        let text = GPUDevice.listing(devices, json: false).split(separator: "\n")
        #expect(text.count == 2)
        #expect(text[0].hasPrefix("GPU 0: ") && text[0].contains("0000:17:00.0") && text[0].contains(DGX.uuid0))
        #expect(text[1].contains("NUMA node 1") && text[1].contains("local CPUs \(devices[1].localCPUs!)"))
        let json = GPUDevice.listing(devices, json: true)
        #expect(json.contains("\"pci_bus_id\": \"0000:b3:00.0\""))
        #expect(GPUDevice.listing([], json: false) == "No NVIDIA GPU found.")
    }

    @Test("a GPU-local mask beyond CPU 1023 is read whole")
    func wideMask() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.installNVML(scenario: "gpu GPU-wide 00000000:17:00.0 0-3,130,1030 name=Wide\n")
        let (device, _) = try GPULocator.resolve(.ordinal(0), context: machine.context())
        #expect(device.localCPUs == [0, 1, 2, 3, 130, 1030])
        #expect(device.numaNode == nil)  // no sysfs entry: NVML's affinity alone
    }

    // MARK: CUDA ordinals and CUDA_VISIBLE_DEVICES

    @Test(
        "CUDA_VISIBLE_DEVICES maps ordinals in list order",
        arguments: [
            ("1,0", 0, "0000:b3:00.0"),
            ("1,0", 1, "0000:17:00.0"),
            (" 1 , 0 ", 1, "0000:17:00.0"),
            ("GPU-aaaa", 0, "0000:b3:00.0"),
            ("\(DGX.uuid1),0", 1, "0000:17:00.0"),
            (DGX.mig1, 0, "0000:b3:00.0"),
            ("MIG-\(DGX.uuid0)/1/0", 0, "0000:17:00.0"),
        ]
    )
    func visibleDevices(value: String, ordinal: Int, expected: String) throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let (device, diagnostics) = try GPULocator.resolve(
            .ordinal(ordinal),
            context: machine.context(["CUDA_VISIBLE_DEVICES": value])
        )
        #expect(device.pciBusID == expected)
        #expect(diagnostics.isEmpty)
    }

    @Test("CUDA_VISIBLE_DEVICES stops at the first entry that names no GPU")
    func stopsAtInvalidEntry() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let context = machine.context(["CUDA_VISIBLE_DEVICES": "1,-1,0"])
        let (device, diagnostics) = try GPULocator.resolve(.ordinal(0), context: context)
        #expect(device.pciBusID == "0000:b3:00.0")
        #expect(
            diagnostics.map(\.message) == [
                "CUDA_VISIBLE_DEVICES=\"1,-1,0\": CUDA stops at entry \"-1\", which names no visible GPU. "
                    + "Only 1 device(s) are visible to CUDA."
            ]
        )
        let error = #expect(throws: LoomError.self) { try GPULocator.resolve(.ordinal(1), context: context) }
        #expect(error?.code == .cudaDeviceNotFound)
        #expect(
            error?.description
                == "CUDA device ordinal 1 is out of range: 1 device(s) visible (CUDA_VISIBLE_DEVICES=\"1,-1,0\"). "
                + "CUDA stops at entry \"-1\", which names no visible GPU."
        )
    }

    @Test(
        "an index NVML does not list, an unknown UUID and a repeated GPU also end the list",
        arguments: ["0,7,1", "0,GPU-ffff,1", "0,0,1", "0,,1"]
    )
    func otherInvalidEntries(value: String) throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let context = machine.context(["CUDA_VISIBLE_DEVICES": value])
        #expect(try GPULocator.resolve(.ordinal(0), context: context).device.pciBusID == "0000:17:00.0")
        #expect(throws: LoomError.self) { try GPULocator.resolve(.ordinal(1), context: context) }
    }

    @Test("an empty CUDA_VISIBLE_DEVICES hides every GPU")
    func emptyVisibleDevices() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.ordinal(0), context: machine.context(["CUDA_VISIBLE_DEVICES": ""]))
        }
        #expect(error?.code == .cudaDeviceNotFound)
        #expect(
            error?.description
                == "CUDA device ordinal 0 is out of range: 0 device(s) visible (CUDA_VISIBLE_DEVICES=\"\")."
        )
    }

    @Test("an ordinal past the last GPU names how many are visible", arguments: [2, -1])
    func ordinalOutOfRange(ordinal: Int) throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(
                .ordinal(ordinal),
                context: machine.context(),
                source: "environment variable LOOM_CUDA_DEVICE"
            )
        }
        #expect(error?.code == .cudaDeviceNotFound)
        #expect(error?.key == "cuda_device")
        #expect(error?.value == "\(ordinal)")
        #expect(
            error?.description
                == "CUDA device ordinal \(ordinal) is out of range: 2 device(s) visible (CUDA_VISIBLE_DEVICES is not "
                + "set). Requested by cuda_device \"\(ordinal)\" (environment variable LOOM_CUDA_DEVICE)."
        )
    }

    @Test("an ordinal read as an NVML index warns only when the GPUs differ and the order is not PCI_BUS_ID")
    func orderGuess() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.installNVML(
            scenario: """
                gpu GPU-aaaa0000 00000000:17:00.0 0-7 name=NVIDIA H100 80GB HBM3
                gpu GPU-bbbb0000 00000000:65:00.0 8-15 name=NVIDIA A100-SXM4-40GB

                """
        )
        let guess =
            "CUDA ordinal 1 mapped to NVML index 1 assuming PCI bus order; GPUs differ and CUDA_DEVICE_ORDER is not "
            + "PCI_BUS_ID. Use a UUID or set CUDA_DEVICE_ORDER=PCI_BUS_ID."
        let unset = try GPULocator.resolve(.ordinal(1), context: machine.context())
        #expect(unset.diagnostics.map(\.message) == [guess])
        #expect(unset.diagnostics.first?.level == .warning)
        let fastest = try GPULocator.resolve(
            .ordinal(1),
            context: machine.context(["CUDA_DEVICE_ORDER": "FASTEST_FIRST"])
        )
        #expect(fastest.diagnostics.map(\.message) == [guess])
        let pciOrder = try GPULocator.resolve(
            .ordinal(1),
            context: machine.context(["CUDA_DEVICE_ORDER": "PCI_BUS_ID"])
        )
        #expect(pciOrder.diagnostics.isEmpty)
        let byUUID = try GPULocator.resolve(
            .ordinal(1),
            context: machine.context(["CUDA_VISIBLE_DEVICES": "GPU-aaaa,GPU-bbbb"])
        )
        #expect(byUUID.device.uuid == "GPU-bbbb0000")
        #expect(byUUID.diagnostics.isEmpty)
        // Alike GPUs: the two orders agree, so no warning (the DGX machine has two H100s).
        let alike = try DGX.machine()
        defer { alike.remove() }
        #expect(try GPULocator.resolve(.ordinal(1), context: alike.context()).diagnostics.isEmpty)
    }

    // MARK: UUIDs, prefixes and MIG

    @Test(
        "a full UUID, a unique prefix (any case) or a MIG instance selects its GPU",
        arguments: [
            (DGX.uuid0, "0000:17:00.0"),
            ("GPU-1111", "0000:17:00.0"),
            ("gpu-AAAA", "0000:b3:00.0"),
            (DGX.mig1, "0000:b3:00.0"),
            ("MIG-\(DGX.uuid1)/3/0", "0000:b3:00.0"),
        ]
    )
    func uuid(text: String, expected: String) throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let (device, diagnostics) = try GPULocator.resolve(.uuid(text), context: machine.context())
        #expect(device.pciBusID == expected)
        #expect(diagnostics.isEmpty)
    }

    @Test("a MIG instance resolves to its parent GPU through NVML")
    func migParent() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let probe = try FakeNVMLProbe(path: #require(machine.nvmlPath))
        let (device, _) = try GPULocator.resolve(.uuid(DGX.mig1), context: machine.context())
        #expect(device.uuid == DGX.uuid1)
        #expect(device.index == 1)
        #expect(device.localCPUs == (try CPUSet(parsing: DGX.node1)))
        #expect(probe.calls.contains("nvmlDeviceGetDeviceHandleFromMigDeviceHandle"))
        #expect(probe.openInits == 0)
    }

    @Test("an unknown UUID names the visible GPUs")
    func unknownUUID() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.uuid("GPU-deadbeef"), context: machine.context())
        }
        #expect(error?.code == .cudaDeviceNotFound)
        #expect(
            error?.description
                == "No GPU with UUID \"GPU-deadbeef\" is visible (visible: \(DGX.uuid0)@0000:17:00.0, "
                + "\(DGX.uuid1)@0000:b3:00.0)."
        )
        let mig = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.uuid("MIG-00000000-0000-0000-0000-000000000000"), context: machine.context())
        }
        #expect(mig?.code == .cudaDeviceNotFound)
        #expect(mig?.description.hasPrefix("No GPU with UUID \"MIG-00000000-") == true)
    }

    @Test("an ambiguous UUID prefix names the GPUs it matches")
    func ambiguousPrefix() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.addPCIDevice("0000:2a:00.0", numaNode: 0, localCPUs: "0-7")
        try machine.installNVML(
            scenario: """
                gpu GPU-11aa 00000000:17:00.0 0-7 name=A
                gpu GPU-12bb 00000000:2A:00.0 0-7 name=A
                gpu GPU-20cc 00000000:3B:00.0 0-7 name=A

                """
        )
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.uuid("GPU-1"), context: machine.context())
        }
        #expect(error?.code == .cudaDeviceNotFound)
        #expect(
            error?.description
                == "UUID prefix \"GPU-1\" matches 2 GPUs (GPU-11aa@0000:17:00.0, GPU-12bb@0000:2a:00.0); give more "
                + "digits."
        )
        #expect(try GPULocator.resolve(.uuid("GPU-12"), context: machine.context()).device.index == 1)
    }

    @Test("a UUID hidden by CUDA_VISIBLE_DEVICES still resolves, with a warning")
    func uuidOutsideVisibleDevices() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let (device, diagnostics) = try GPULocator.resolve(
            .uuid(DGX.uuid1),
            context: machine.context(["CUDA_VISIBLE_DEVICES": "0"])
        )
        #expect(device.index == 1)
        #expect(
            diagnostics.map(\.message) == [
                "GPU \(DGX.uuid1)@0000:b3:00.0 is not among the devices CUDA_VISIBLE_DEVICES=\"0\" makes visible; "
                    + "CUDA code in this process cannot use it."
            ]
        )
        // A MIG instance of that GPU in CUDA_VISIBLE_DEVICES makes it visible.
        let viaMIG = try GPULocator.resolve(
            .uuid(DGX.uuid1),
            context: machine.context(["CUDA_VISIBLE_DEVICES": DGX.mig1])
        )
        #expect(viaMIG.diagnostics.isEmpty)
    }

    // MARK: Without NVML

    @Test("without NVML the GPUs come from sysfs in PCI order, with a warning naming LOOM_NVML_LIBRARY")
    func missingNVML() throws {
        let machine = try DGX.machine(nvml: false)
        defer { machine.remove() }
        let (devices, diagnostics) = try GPULocator.list(context: machine.context())
        #expect(
            devices == [
                GPUDevice(
                    index: 0,
                    uuid: DGX.uuid0,
                    name: DGX.model,
                    pciBusID: "0000:17:00.0",
                    numaNode: 0,
                    localCPUs: try CPUSet(parsing: DGX.node0)
                ),
                GPUDevice(
                    index: 1,
                    uuid: DGX.uuid1,
                    name: DGX.model,
                    pciBusID: "0000:b3:00.0",
                    numaNode: 1,
                    localCPUs: try CPUSet(parsing: DGX.node1)
                ),
            ]
        )
        #expect(diagnostics.count == 1)
        let warning = try #require(diagnostics.first)
        #expect(warning.level == .warning)
        #expect(warning.message.hasPrefix("GPU locality: \(machine.missingNVMLPath) could not be loaded ("))
        #expect(warning.message.hasSuffix("); using sysfs. Set LOOM_NVML_LIBRARY to override."))
        // Selection works the same way on the sysfs inventory.
        let context = machine.context(["CUDA_VISIBLE_DEVICES": "1"])
        #expect(try GPULocator.resolve(.ordinal(0), context: context).device.uuid == DGX.uuid1)
        #expect(try GPULocator.resolve(.uuid("GPU-1111"), context: machine.context()).device.index == 0)
        #expect(try GPULocator.resolve(.uuid("MIG-\(DGX.uuid1)/1/0"), context: machine.context()).device.index == 1)
    }

    @Test("without NVML or /proc/driver/nvidia a GPU has no UUID and is named by its PCI device id")
    func sysfsOnly() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.addPCIDevice("0000:65:00.0", pciClass: "0x030000", device: "0x2330", numaNode: 0, localCPUs: "0-7")
        let (device, _) = try GPULocator.resolve(.ordinal(0), context: machine.context())
        #expect(device.uuid == "")
        #expect(device.name == "NVIDIA GPU [10de:2330]")
        #expect(device.localCPUs == CPUSet(0...7))
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.uuid("GPU-1"), context: machine.context())
        }
        #expect(error?.description == "No GPU with UUID \"GPU-1\" is visible (visible: <unknown UUID>@0000:65:00.0).")
    }

    @Test("a MIG instance UUID cannot be resolved without NVML")
    func migWithoutNVML() throws {
        let machine = try DGX.machine(nvml: false)
        defer { machine.remove() }
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.uuid(DGX.mig1), context: machine.context())
        }
        #expect(error?.code == .cudaDeviceNotFound)
        #expect(
            error?.description
                == "Cannot resolve MIG instance \"\(DGX.mig1)\" to its GPU: MIG instance UUIDs can only be resolved "
                + "through NVML, which is not available. Select the GPU by its UUID instead (visible: "
                + "\(DGX.uuid0)@0000:17:00.0, \(DGX.uuid1)@0000:b3:00.0)."
        )
    }

    @Test("NVML failing to initialise falls back to sysfs and is never shut down")
    func driverNotLoaded() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try DGX.sysfs(machine)
        let path = try machine.installNVML(scenario: "init 9\n" + DGX.scenario)
        let probe = try FakeNVMLProbe(path: path)
        let (device, diagnostics) = try GPULocator.resolve(.ordinal(1), context: machine.context())
        #expect(device.uuid == DGX.uuid1)
        #expect(device.localCPUs == (try CPUSet(parsing: DGX.node1)))
        #expect(
            diagnostics.map(\.message) == [
                "GPU locality: nvmlInit_v2 failed: NVML_ERROR_DRIVER_NOT_LOADED (9) \"Driver Not Loaded\"; using sysfs."
            ]
        )
        #expect(probe.calls == ["nvmlInit_v2"])
        #expect(probe.openInits == 0)
    }

    @Test("no NVML and no GPU in sysfs is cudaUnavailable, naming what was tried")
    func noGPUAtAll() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.addPCIDevice("0000:00:1f.0", vendor: "0x8086", pciClass: "0x060100")
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.ordinal(0), context: machine.context())
        }
        #expect(error?.code == .cudaUnavailable)
        let description = try #require(error?.description)
        #expect(description.hasPrefix("No NVIDIA GPU found: \(machine.missingNVMLPath) could not be loaded ("))
        #expect(
            description.hasSuffix(
                "), and \(machine.root)/sys/bus/pci/devices lists no NVIDIA GPU (vendor 0x10de, class 0x0300xx or "
                    + "0x0302xx). If NVML is installed elsewhere, set LOOM_NVML_LIBRARY to its path."
            )
        )
    }

    @Test("NVML reporting no GPU is cudaUnavailable")
    func nvmlWithoutGPUs() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        let path = try machine.installNVML(scenario: "# no GPUs\n")
        let error = #expect(throws: LoomError.self) { try GPULocator.list(context: machine.context()) }
        #expect(error?.code == .cudaUnavailable)
        #expect(error?.description == "No NVIDIA GPU found: NVML (\(path)) reports 0 GPU(s).")
    }

    // MARK: Old drivers and failing calls

    @Test("an NVML without the _v2/_v3 symbols is used through the older names")
    func legacyNVML() throws {
        let machine = try DGX.machine(legacy: true)
        defer { machine.remove() }
        let probe = try FakeNVMLProbe(path: #require(machine.nvmlPath))
        let (device, diagnostics) = try GPULocator.resolve(.ordinal(1), context: machine.context())
        #expect(device.pciBusID == "0000:b3:00.0")
        #expect(device.localCPUs == (try CPUSet(parsing: DGX.node1)))
        #expect(
            diagnostics.map(\.message) == [
                "GPU locality: libnvidia-ml lacks nvmlInit_v2; using nvmlInit.",
                "GPU locality: libnvidia-ml lacks nvmlDeviceGetCount_v2; using nvmlDeviceGetCount.",
                "GPU locality: libnvidia-ml lacks nvmlDeviceGetHandleByIndex_v2; using nvmlDeviceGetHandleByIndex.",
                "GPU locality: libnvidia-ml lacks nvmlDeviceGetPciInfo_v3; using nvmlDeviceGetPciInfo_v2.",
                "GPU locality: libnvidia-ml lacks nvmlDeviceGetCpuAffinityWithinScope; using nvmlDeviceGetCpuAffinity.",
            ]
        )
        #expect(diagnostics.allSatisfy { $0.level == .notice })
        #expect(probe.calls.contains("nvmlDeviceGetPciInfo_v2"))
        #expect(probe.calls.contains("nvmlDeviceGetCpuAffinity"))
        #expect(probe.openInits == 0)
        let error = #expect(throws: LoomError.self) {
            try GPULocator.resolve(.uuid(DGX.mig1), context: machine.context())
        }
        #expect(error?.description.contains("this NVML has no MIG support") == true)
    }

    @Test("a GPU whose handle is refused is left out with a warning")
    func handleRefused() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.installNVML(
            scenario: """
                gpu GPU-aaaa 00000000:17:00.0 0-7 name=A
                gpu GPU-bbbb 00000000:65:00.0 8-15 handle=4 name=A

                """
        )
        let (devices, diagnostics) = try GPULocator.list(context: machine.context())
        #expect(devices.map(\.uuid) == ["GPU-aaaa"])
        #expect(
            diagnostics.map(\.message) == [
                "GPU locality: nvmlDeviceGetHandleByIndex_v2(1) failed: NVML_ERROR_NO_PERMISSION (4) "
                    + "\"Insufficient Permissions\"; GPU 1 is left out."
            ]
        )
    }

    @Test("NVML affinity not supported falls back to sysfs, then to unknown")
    func affinityNotSupported() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.addPCIDevice("0000:17:00.0", numaNode: 1, localCPUs: "8-15")
        try machine.installNVML(
            scenario: """
                gpu GPU-aaaa 00000000:17:00.0 0-7 affinity=3 name=A
                gpu GPU-bbbb 00000000:65:00.0 0-7 affinity=3 name=A

                """
        )
        let (devices, diagnostics) = try GPULocator.list(context: machine.context())
        #expect(diagnostics.isEmpty)
        #expect(devices[0].localCPUs == CPUSet(8...15))
        #expect(devices[0].numaNode == 1)
        #expect(devices[1].localCPUs == nil)
        let (cpus, warnings) = try GPULocator.usableCPUs(for: devices[1], allowed: CPUSet(0...3))
        #expect(cpus == CPUSet(0...3))
        #expect(
            warnings.map(\.message) == [
                "GPU 0000:65:00.0 reports no NUMA affinity (nvmlDeviceGetCpuAffinityWithinScope failed: "
                    + "NVML_ERROR_NOT_SUPPORTED (3) \"Not Supported\"; no local_cpulist in sysfs); using all allowed "
                    + "CPUs (0-3)."
            ]
        )
    }

    // MARK: Locality: unknown, disagreeing, PCI spellings

    @Test("numa_node = -1 is unknown locality, never all CPUs")
    func unknownLocality() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        // What a VM shows: numa_node -1 and local_cpulist listing every online CPU.
        try machine.addPCIDevice("0000:17:00.0", numaNode: -1, localCPUs: "0-15")
        try machine.installNVML(scenario: "gpu GPU-vm 00000000:17:00.0 0-15 name=NVIDIA H100 PCIe\n")
        let (device, diagnostics) = try GPULocator.resolve(.ordinal(0), context: machine.context())
        #expect(device.localCPUs == nil)
        #expect(device.numaNode == nil)
        #expect(diagnostics.isEmpty)
        let (cpus, warnings) = try GPULocator.usableCPUs(for: device, allowed: CPUSet(0...15))
        #expect(cpus == CPUSet(0...15))
        #expect(
            warnings == [
                .warning(
                    "GPU 0000:17:00.0 reports no NUMA affinity (numa_node = -1); using all allowed CPUs (0-15)."
                )
            ]
        )
        // The same without NVML.
        let sysfsOnly = try FakeGPUMachine()
        defer { sysfsOnly.remove() }
        try sysfsOnly.addPCIDevice("0000:17:00.0", numaNode: -1, localCPUs: "0-15")
        #expect(try GPULocator.resolve(.ordinal(0), context: sysfsOnly.context()).device.localCPUs == nil)
    }

    @Test("when NVML and sysfs disagree NVML wins and both are named")
    func disagreement() throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try DGX.sysfs(machine, localCPUs0: "0-15")
        try machine.installNVML(scenario: DGX.scenario)
        let (device, diagnostics) = try GPULocator.resolve(.ordinal(0), context: machine.context())
        #expect(device.localCPUs == (try CPUSet(parsing: DGX.node0)))
        #expect(
            diagnostics == [
                .warning(
                    "GPU 0000:17:00.0: NVML reports local CPUs 0-31,64-95 but sysfs local_cpulist says 0-15; "
                        + "using NVML's."
                )
            ]
        )
    }

    @Test(
        "NVML's bus id is matched to sysfs through integers, whatever the domain width",
        arguments: [
            ("00000000:B3:00.0", "0000:b3:00.0"),
            ("0000:B3:00.0", "0000:b3:00.0"),
            ("00010000:01:00.0", "10000:01:00.0"),
            ("0001:3b:00.0", "0001:3b:00.0"),
        ]
    )
    func busIDForms(nvmlBusID: String, sysfsName: String) throws {
        let machine = try FakeGPUMachine()
        defer { machine.remove() }
        try machine.addPCIDevice(sysfsName, numaNode: 1, localCPUs: DGX.node1)
        try machine.installNVML(scenario: "gpu GPU-x \(nvmlBusID) \(DGX.node1) name=X\n")
        let (device, diagnostics) = try GPULocator.resolve(.ordinal(0), context: machine.context())
        #expect(device.pciBusID == sysfsName)
        #expect(device.numaNode == 1)  // found the sysfs directory
        #expect(diagnostics.isEmpty)
    }

    // MARK: Usable CPUs

    @Test("GPU-local CPUs disjoint from the allowed set are an error")
    func disjoint() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let (device, _) = try GPULocator.resolve(.ordinal(1), context: machine.context())
        let error = #expect(throws: LoomError.self) {
            try GPULocator.usableCPUs(
                for: device,
                allowed: CPUSet(0...31),
                source: "flag --loom-cuda-device",
                value: "1"
            )
        }
        #expect(error?.code == .cudaNoAllowedCPUs)
        #expect(error?.value == "1")
        #expect(
            error?.description
                == "CPUs local to GPU 1 (0000:b3:00.0, NUMA node 1: 32-63,96-127) do not overlap the CPUs this "
                + "process may use (0-31). Check the container cpuset (cpuset.cpus.effective), taskset or numactl, "
                + "or select another GPU. Requested by cuda_device \"1\" (flag --loom-cuda-device)."
        )
    }

    @Test("a partial overlap keeps the allowed GPU-local CPUs and says how many")
    func partialOverlap() throws {
        let machine = try DGX.machine()
        defer { machine.remove() }
        let (device, _) = try GPULocator.resolve(.ordinal(1), context: machine.context())
        let (cpus, diagnostics) = try GPULocator.usableCPUs(for: device, allowed: CPUSet(40...47))
        #expect(cpus == CPUSet(40...47))
        #expect(
            diagnostics == [
                .info("Using 8 of 64 GPU-local CPUs (the rest are outside this process's allowed set).")
            ]
        )
        let (all, none) = try GPULocator.usableCPUs(for: device, allowed: CPUSet(0...127))
        #expect(all == (try CPUSet(parsing: DGX.node1)))
        #expect(none.isEmpty)
    }

    // MARK: Context

    @Test("the context takes LOOM_NVML_LIBRARY and LOOM_SYSFS_ROOT from its environment")
    func context() {
        let plain = GPUContext(environment: [:])
        #expect(plain.nvmlLibraryPath == "libnvidia-ml.so.1")
        #expect(plain.sysfs.root == "")
        let empty = GPUContext(environment: ["LOOM_NVML_LIBRARY": "", "LOOM_SYSFS_ROOT": ""])
        #expect(empty.nvmlLibraryPath == "libnvidia-ml.so.1")
        let set = GPUContext(environment: ["LOOM_NVML_LIBRARY": "/opt/nvml.so", "LOOM_SYSFS_ROOT": "/tmp/fake/"])
        #expect(set.nvmlLibraryPath == "/opt/nvml.so")
        #expect(set.sysfs.path("/sys") == "/tmp/fake/sys")
    }
}
