import Foundation

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryDirectory: @unchecked Sendable {
    // Sendable: `path` is immutable; the file system calls are thread-safe.
    let path: String

    init(_ label: String = "loom-tests") throws {
        let base = NSTemporaryDirectory() + "\(label)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        self.path = base
    }

    deinit { try? FileManager.default.removeItem(atPath: self.path) }

    /// Writes `contents` to `relativePath` (creating the folders on the way) and returns the full path.
    @discardableResult
    func write(_ relativePath: String, _ contents: String) throws -> String {
        let full = self.path + "/" + relativePath
        let folder = (full as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try contents.write(toFile: full, atomically: true, encoding: .utf8)
        return full
    }

    /// Creates an empty folder at `relativePath`.
    func makeFolder(_ relativePath: String) throws {
        try FileManager.default.createDirectory(
            atPath: self.path + "/" + relativePath,
            withIntermediateDirectories: true
        )
    }
}
