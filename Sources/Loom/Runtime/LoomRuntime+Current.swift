import CLoomSystem
import LoomCompute
import LoomConfiguration
import LoomSystem

extension LoomRuntime {
    /// The runtime whose thread (async or compute) is running the caller, or whose ``blockOn(_:)`` body is
    /// running it (also after that body hopped to another executor, such as the main actor); otherwise `nil`.
    public static var current: LoomRuntime? {
        if let raw = cloom_current_runtime() {
            return Unmanaged<RuntimeHandle>.fromOpaque(raw).takeUnretainedValue().runtime
        }
        return Self.blockOnRuntime?.runtime
    }

    /// Set for the body of `blockOn`, so `current` follows it onto other executors.
    @TaskLocal static var blockOnRuntime: RuntimeHandle?
}
