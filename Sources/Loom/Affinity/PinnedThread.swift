// TEMPORARY (lead's branch): a minimal stand-in until the foundation branch's PinnedThread is merged.
import CLoomLinux
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

public struct LoomThreadInfo: Sendable, Hashable, CustomStringConvertible {
    public enum Pool: String, Sendable, Hashable { case async, compute, io }
    public let pool: Pool
    public let index: Int
    public let name: String
    public let kernelName: String
    public let cpus: CPUSet
    package init(pool: Pool, index: Int, name: String, kernelName: String, cpus: CPUSet) {
        self.pool = pool; self.index = index; self.name = name; self.kernelName = kernelName; self.cpus = cpus
    }
    public var description: String { "\(name) (\(kernelName)) cpus=\(cpus)" }
}

package final class PinnedThread: @unchecked Sendable {
    package let info: LoomThreadInfo
    private let handle: pthread_t
    private let joined = LockedValue(false)

    private init(info: LoomThreadInfo, handle: pthread_t) { self.info = info; self.handle = handle }

    private final class Box { let body: @Sendable () -> Void; let name: String; init(_ b: @escaping @Sendable () -> Void, _ n: String) { body = b; name = n } }

    package static func start(_ info: LoomThreadInfo, stackSize: Int = 16 << 20, body: @escaping @Sendable () -> Void) throws(LoomError) -> PinnedThread {
        var attr = pthread_attr_t()
        pthread_attr_init(&attr)
        defer { pthread_attr_destroy(&attr) }
        pthread_attr_setstacksize(&attr, stackSize)
        if !info.cpus.isEmpty {
            var words = info.cpus.bitWords
            if words.count < 16 { words += Array(repeating: 0, count: 16 - words.count) }
            _ = words.withUnsafeBufferPointer { cloom_attr_set_affinity(&attr, $0.baseAddress, $0.count) }
        }
        let box = Unmanaged.passRetained(Box(body, info.kernelName)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, &attr, { raw in
            let box = Unmanaged<Box>.fromOpaque(raw!).takeRetainedValue()
            _ = box.name.withCString { cloom_set_name_self($0) }
            box.body()
            return nil
        }, box)
        guard rc == 0 else {
            Unmanaged<Box>.fromOpaque(box).release()
            throw LoomError(.systemError, description: "Could not start thread \(info.name): pthread_create failed with error \(rc).")
        }
        return PinnedThread(info: info, handle: thread)
    }

    package func join() {
        let first = joined.withLock { j -> Bool in defer { j = true }; return !j }
        if first { pthread_join(handle, nil) }
    }
}

// TEMPORARY stand-in for the foundation branch's CPUPlan.kernelNames.
package enum CPUPlan {
    package static func kernelNames(prefix: String, pool: LoomThreadInfo.Pool, count: Int) -> [String] {
        let word = pool == .async ? "async" : pool == .compute ? "compute" : "io"
        let full = (0..<count).map { "\(prefix)-\(word)-" + String(repeating: "0", count: max(0, 4 - String($0).count)) + String($0) }
        if full.allSatisfy({ $0.utf8.count <= 15 }) { return full }
        let letter = pool == .async ? "a" : pool == .compute ? "c" : "n"
        let budget = 15 - 2 - String(max(0, count - 1)).count
        let p = String(decoding: Array(prefix.utf8.prefix(budget)), as: UTF8.self)
        return (0..<count).map { "\(p)-\(letter)\($0)" }
    }
}
