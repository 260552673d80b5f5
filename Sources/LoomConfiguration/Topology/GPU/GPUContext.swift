import LoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Everything ``GPULocator`` reads from outside: the environment variables that steer it, the sysfs root and the
/// NVML library to load. Tests build one by hand and never touch the process environment.
package struct GPUContext: Sendable {
    /// The environment variables GPU resolution reads.
    package static let environmentKeys = [
        "CUDA_VISIBLE_DEVICES", "CUDA_DEVICE_ORDER", "LOOM_NVML_LIBRARY", "LOOM_SYSFS_ROOT",
    ]
    /// The library loaded when `LOOM_NVML_LIBRARY` is not set: the versioned name the driver installs (the
    /// unversioned `libnvidia-ml.so` exists only with development packages).
    package static let defaultNVMLLibrary = "libnvidia-ml.so.1"

    /// `CUDA_VISIBLE_DEVICES` and `CUDA_DEVICE_ORDER` are read from here. An absent key is "not set"; an empty
    /// value is set and empty (for `CUDA_VISIBLE_DEVICES`: no device is visible).
    package var environment: [String: String]
    /// Where `/sys` and `/proc` are read.
    package var sysfs: SysfsReader
    /// The NVML library to `dlopen`: a name the dynamic loader searches for, or an absolute path.
    package var nvmlLibraryPath: String

    /// A context for `environment`: the sysfs root from `LOOM_SYSFS_ROOT` and the library from
    /// `LOOM_NVML_LIBRARY` (else `libnvidia-ml.so.1`) unless given explicitly.
    package init(environment: [String: String], sysfs: SysfsReader? = nil, nvmlLibraryPath: String? = nil) {
        self.environment = environment
        self.sysfs = sysfs ?? SysfsReader.fromEnvironment(environment)
        let fromEnvironment = environment["LOOM_NVML_LIBRARY"].flatMap { $0.isEmpty ? nil : $0 }
        self.nvmlLibraryPath = nvmlLibraryPath ?? fromEnvironment ?? Self.defaultNVMLLibrary
    }

    /// The running process's context: ``environmentKeys`` read from the process environment.
    package static func process() -> GPUContext {
        var environment: [String: String] = [:]
        for key in Self.environmentKeys {
            if let value = getenv(key) { environment[key] = String(cString: value) }
        }
        return GPUContext(environment: environment)
    }
}
