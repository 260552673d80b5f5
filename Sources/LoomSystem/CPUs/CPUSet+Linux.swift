import CLoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension CPUSet {
    /// The CPUs the calling *process* may run on.
    ///
    /// On Linux this is `sched_getaffinity` of the process (not of the calling thread), so it honours `taskset`,
    /// `numactl --cpunodebind` and cgroup cpusets (Docker `--cpuset-cpus`, the Kubernetes static CPU manager), and
    /// it never lists offline CPUs. It does not reflect CPU *quotas* (`cpu.max`, Kubernetes CPU limits), which
    /// throttle a process without restricting where it runs. The mask buffer grows until the kernel accepts it,
    /// so machines with more than 1024 CPUs work. If the system call is refused (seccomp, gVisor), the
    /// `Cpus_allowed_list` line of `/proc/self/status` is used instead.
    ///
    /// On other systems every CPU `0..<activeProcessorCount` is returned.
    ///
    /// - Throws: ``LoomError`` with code ``LoomError/Code/systemError`` if neither source can be read.
    public static func allowed() throws(LoomError) -> CPUSet {
        #if os(Linux)
        if let mask = self.readMask(cloom_process_affinity) { return mask }
        return try self.allowedFromProcStatus()
        #else
        return CPUSet(0..<max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
        #endif
    }

    /// The CPUs the calling *thread* may run on (its own affinity mask), or `nil` where that cannot be read.
    ///
    /// The read-back of ``pinCurrentThread()``. The library itself never needs it (a refused pin is reported by
    /// `pthread_create`); it stays here, beside the call it checks, because the placement tests and diagnostics
    /// scripts read pins back through it.
    package static func currentThreadAffinity() -> CPUSet? {
        #if os(Linux)
        return self.readMask(cloom_thread_affinity)
        #else
        return nil
        #endif
    }

    /// Pins the calling thread to this set. Returns 0 or the errno value of the failure.
    package func pinCurrentThread() -> Int32 {
        var words = self.bitWords
        if words.isEmpty { return EINVAL }
        // The kernel wants at least one unsigned long per 64 CPUs; pad to a whole cpu_set_t (1024 bits).
        if words.count < 16 { words.append(contentsOf: repeatElement(0, count: 16 - words.count)) }
        return words.withUnsafeBufferPointer { cloom_pin_self($0.baseAddress, $0.count) }
    }

    /// Calls a `sched_getaffinity`-style reader with a growing buffer: 1024 bits first, doubled on `EINVAL`,
    /// up to 1 MiB of mask.
    private static func readMask(_ reader: (UnsafeMutablePointer<UInt64>?, Int) -> Int) -> CPUSet? {
        var wordCount = 16
        while wordCount <= 131_072 {
            var words = [UInt64](repeating: 0, count: wordCount)
            let written = words.withUnsafeMutableBufferPointer { reader($0.baseAddress, $0.count) }
            if written > 0 {
                let set = CPUSet(words: Array(words.prefix((written + 7) / 8)))
                return set.isEmpty ? nil : set
            }
            guard written == -Int(EINVAL) else { return nil }
            wordCount *= 2
        }
        return nil
    }

    /// Reads `Cpus_allowed_list:` from `/proc/self/status`.
    private static func allowedFromProcStatus() throws(LoomError) -> CPUSet {
        let path = "/proc/self/status"
        guard let status = SysfsReader.live.readString(path),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else {
            throw LoomError(
                .systemError,
                description:
                    "Could not read the CPUs this process may use: sched_getaffinity failed and \(path) has no "
                    + "Cpus_allowed_list line."
            )
        }
        let list = line.dropFirst("Cpus_allowed_list:".count)
        do {
            return try CPUSet(parsing: String(list))
        } catch {
            throw LoomError(
                .systemError,
                description: "Could not parse Cpus_allowed_list in \(path): \(error.reason.endingWithPeriod)"
            )
        }
    }
}
