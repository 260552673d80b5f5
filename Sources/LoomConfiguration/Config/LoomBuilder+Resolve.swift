import Foundation
import LoomSystem

extension LoomBuilder {
    /// Resolves the configuration without starting any thread: reads every source, checks every value, reads the
    /// allowed CPUs and the topology, maps a CUDA device to its local CPUs, and plans which thread runs where.
    ///
    /// Every value is checked where it is read, so a bad value is reported even when a later source overrides it.
    ///
    /// - Returns: the resolved configuration, with the source of every value, the plan and any warnings (which are
    ///   returned, not logged).
    /// - Throws: ``LoomError`` whose message names the key, the source and the value: a missing required file
    ///   (`fileNotFound`), an unreadable one (`unreadableFile`), a malformed one or one with an unsupported
    ///   extension (`malformedFile`, with line and column where the parser gives them), an unknown key in a file
    ///   (`unknownKey`, with a suggestion), a value of the wrong type, a zero or negative count or pool size, an
    ///   empty prefix or one with control characters, a key given together with its alias in one source
    ///   (`invalidConfiguration`), a cpuset that does not parse (`invalidCPUSet`), CPUs the process may not use
    ///   (`cpuNotAllowed`), no CPU left (`noCPUs`), more than 4 096 threads in a pool (`invalidConfiguration`), and
    ///   the errors of the GPU locator.
    public func resolve() throws(LoomError) -> LoomConfiguration {
        let environment = self.environmentOverride ?? ProcessInfo.processInfo.environment
        let sysfs = self.sysfsOverride ?? SysfsReader.fromEnvironment(environment)
        var warnings: [String] = []

        let merged = try self.mergedLayers(environment: environment, warnings: &warnings)
        let allowed: CPUSet
        if let override = self.allowedCPUsOverride { allowed = override } else { allowed = try CPUSet.allowed() }

        if let cpuset = merged.cpuset {
            let outside = cpuset.value.subtracting(allowed)
            guard outside.isEmpty else {
                throw LoomError.invalidValue(
                    .cpuNotAllowed,
                    key: LoomConfiguration.Key.cpuset.rawValue,
                    value: cpuset.written,
                    source: cpuset.source.description,
                    reason: "\(outside.count == 1 ? "CPU" : "CPUs") \(outside) \(outside.count == 1 ? "is" : "are") "
                        + "not among the CPUs this process may use (\(allowed)); check taskset, numactl or the "
                        + "container's cpuset"
                )
            }
        }
        var usable = merged.cpuset?.value ?? allowed
        guard !usable.isEmpty else {
            throw LoomError(.noCPUs, description: "No CPU is available to run on.", reason: "no CPU is available")
        }

        var gpu: GPUDevice?
        if let device = merged.cudaDevice {
            let located: GPUDevice
            if let resolver = self.gpuResolver {
                let locatorWarnings: [String]
                (located, locatorWarnings) = try resolver(device.value, environment, sysfs)
                warnings += locatorWarnings
            } else {
                let diagnostics: [GPUDiagnostic]
                (located, diagnostics) = try GPULocator.resolve(
                    device.value,
                    context: GPUContext(environment: environment, sysfs: sysfs),
                    source: device.source.description
                )
                warnings += diagnostics.map(\.message)
            }
            gpu = located
            let narrowed = try GPULocator.usableCPUs(
                for: located,
                allowed: usable,
                source: device.source.description,
                value: device.written
            )
            usable = narrowed.cpus
            warnings += narrowed.diagnostics.map(\.message)
        }

        let asyncThreads = merged.asyncThreads?.value ?? 1
        let shareAsyncCPUs = merged.shareAsyncCPUs?.value ?? false
        // By default one compute thread per CPU the async pool leaves, plus one per async CPU when they are shared.
        let borrowable = shareAsyncCPUs && usable.count >= 2 ? min(asyncThreads, usable.count - 1) : 0
        let computeThreads = merged.computeThreads?.value ?? (max(1, usable.count - asyncThreads) + borrowable)
        let prefix = merged.prefix?.value ?? "loom"
        let pinThreads = merged.pinThreads?.value ?? true
        let plan = CPUPlan.make(
            prefix: prefix,
            asyncThreads: asyncThreads,
            computeThreads: computeThreads,
            pinThreads: pinThreads,
            cpus: usable,
            topology: Topology.discover(sysfs),
            shareAsyncCPUs: shareAsyncCPUs
        )
        var sources: [LoomConfiguration.Key: LoomConfiguration.Source] = [:]
        for key in LoomConfiguration.Key.allCases { sources[key] = merged.source(of: key) }

        return LoomConfiguration(
            prefix: prefix,
            cpuset: merged.cpuset?.value,
            asyncThreads: asyncThreads,
            computeThreads: computeThreads,
            pinThreads: pinThreads,
            computePoolSize: merged.computePoolSize?.value ?? 64,
            cudaDevice: merged.cudaDevice?.value,
            watchdog: merged.watchdog.flatMap { $0.value == .zero ? nil : $0.value },
            blockingThreads: merged.blockingThreads?.value ?? LoomConfiguration.defaultBlockingThreads,
            statistics: merged.statistics?.value ?? true,
            metricsInterval: merged.metricsInterval.map { $0.value == .zero ? nil : $0.value }
                ?? LoomConfiguration.defaultMetricsInterval,
            console: merged.console?.value,
            shareAsyncCPUs: shareAsyncCPUs,
            allowedCPUs: allowed,
            usableCPUs: usable,
            gpu: gpu,
            plan: plan,
            warnings: warnings + plan.warnings,
            sources: sources
        )
    }

    /// Reads and checks every layer, then overlays them in the fixed order
    /// files < environment < ConfigReader < setters < flags.
    package func mergedLayers(
        environment: [String: String],
        warnings: inout [String]
    ) throws(LoomError) -> ConfigLayer {
        var layers: [ConfigLayer] = []
        var files = self.files
        if let path = self.commandLine?.configPath {
            files.append(ConfigFile(path: path, required: true, origin: "flag --loom-config"))
        }
        for file in files {
            if let (settings, fileWarnings) = try file.load() {
                warnings += fileWarnings
                layers.append(try ConfigLayer(decoding: settings))
            }
        }
        if let prefix = self.environmentPrefix {
            let (settings, environmentWarnings) = try ConfigLayer.readEnvironment(environment, prefix: prefix)
            warnings += environmentWarnings
            layers.append(try ConfigLayer(decoding: settings))
        }
        if let readerSettings = self.readerSettings {
            layers.append(try ConfigLayer(decoding: readerSettings()))
        }
        let code = LoomConfiguration.Key.allCases.compactMap { self.codeSettings[$0] }
        layers.append(try ConfigLayer(decoding: code))
        if let commandLine = self.commandLine {
            layers.append(try ConfigLayer(decoding: commandLine.settings))
        }
        return layers.reduce(ConfigLayer()) { $0.overlaid(by: $1) }
    }
}
