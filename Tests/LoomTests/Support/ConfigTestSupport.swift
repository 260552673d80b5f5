import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

extension LoomBuilder {
    /// A builder that depends on nothing of this machine: no process environment, allowed CPUs 0-7 (or as
    /// given), and an empty sysfs tree (no topology advice).
    static func hermetic(allowed: CPUSet = CPUSet(0...7), environment: [String: String] = [:]) -> LoomBuilder {
        LoomBuilder()
            .environment(environment)
            .allowedCPUs(allowed)
            .sysfs(SysfsReader(root: "/nonexistent-loom-sysfs-root"))
            .resolvingGPU { selector, _, _ throws(LoomError) in (stubGPU, []) }
    }

    /// What the hermetic builder's stub locator returns for any selected device: locality unknown, so the usable
    /// CPUs stay as they are. Tests of GPU narrowing inject their own locator.
    static let stubGPU = GPUDevice(
        index: 0,
        uuid: "GPU-00000000-stub",
        name: "Stub GPU",
        pciBusID: "0000:17:00.0",
        numaNode: nil,
        localCPUs: nil
    )
}

/// Resolves `builder` and checks that it fails with `code` and a message containing every part.
func expectLoomError(
    _ builder: LoomBuilder,
    _ code: LoomError.Code,
    containing parts: [String],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    do {
        let configuration = try builder.resolve()
        Issue.record(
            "expected \(code), resolved \(configuration.computeThreads) threads",
            sourceLocation: sourceLocation
        )
    } catch {
        #expect(error.code == code, "\(error.description)", sourceLocation: sourceLocation)
        for part in parts {
            #expect(
                error.description.contains(part),
                "\"\(part)\" missing in: \(error.description)",
                sourceLocation: sourceLocation
            )
        }
    }
}
