// Helpers only the tests use; kept out of the library.
import Foundation

@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

extension ComputePool {
    /// The pool whose worker is running the calling thread, or `nil`.
    static var currentRegistry: Registry? { WorkerThread.current?.registry }
}

extension Topology {
    /// `true` when some core has more than one hardware thread.
    var hasSMT: Bool { self.siblings.values.contains { $0.count > 1 } }

    /// The number of distinct physical packages (sockets) sysfs reports; 1 when it reports none.
    var packageCount: Int { max(1, Set(self.packages.values).count) }
}

extension PCIAddress {
    /// NVML's spelling: upper-case hex, `%08X:%02X:%02X.%X` (`00000000:3B:00.0`).
    var nvmlBusID: String {
        String(
            format: "%08llX:%02llX:%02llX.%llX",
            UInt64(self.domain),
            UInt64(self.bus),
            UInt64(self.device),
            UInt64(self.function)
        )
    }
}
