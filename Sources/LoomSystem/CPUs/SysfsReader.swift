#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads `/sys` and `/proc` files through an injectable root directory.
///
/// Every read Loom makes of the system's topology goes through a `SysfsReader`, so tests can point it at a
/// fixture tree. The environment variable `LOOM_SYSFS_ROOT` names a directory that stands in for `/`
/// (as hwloc's `HWLOC_FSROOT` does): with `LOOM_SYSFS_ROOT=/tmp/fake`, `/sys/devices/system/cpu/online`
/// is read from `/tmp/fake/sys/devices/system/cpu/online`.
package struct SysfsReader: Sendable {
    /// The directory standing in for `/`; `""` for the real root.
    package let root: String

    package init(root: String) {
        var root = root
        while root.hasSuffix("/") { root.removeLast() }
        self.root = root
    }

    /// The real file system.
    package static let live = SysfsReader(root: "")

    /// `LOOM_SYSFS_ROOT` from `environment` when set and non-empty, else the real file system.
    package static func fromEnvironment(_ environment: [String: String]) -> SysfsReader {
        guard let root = environment["LOOM_SYSFS_ROOT"], !root.isEmpty else { return .live }
        return SysfsReader(root: root)
    }

    /// The real path for an absolute system path such as `/sys/devices/system/cpu/online`.
    package func path(_ systemPath: String) -> String { self.root + systemPath }

    /// The whole file as text, or `nil` if it does not exist or cannot be read.
    package func readString(_ systemPath: String) -> String? {
        let fd = open(self.path(systemPath), O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                return nil
            }
            if n == 0 { break }
            bytes.append(contentsOf: chunk[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The file's text without surrounding whitespace, or `nil`.
    package func readTrimmed(_ systemPath: String) -> String? {
        self.readString(systemPath).map { $0.trimmingWhitespace }
    }

    /// The entries of a directory (without `.` and `..`), or `[]`.
    package func listDirectory(_ systemPath: String) -> [String] {
        guard let dir = opendir(self.path(systemPath)) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `true` if the path exists.
    package func exists(_ systemPath: String) -> Bool { access(self.path(systemPath), F_OK) == 0 }
}
