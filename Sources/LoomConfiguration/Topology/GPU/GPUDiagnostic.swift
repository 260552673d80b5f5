/// A message from resolving a GPU that is not an error: a fallback taken, a guess made, CPUs left out.
///
/// ``GPULocator`` never logs; it returns its diagnostics so the caller (the configuration layer, `loom info`)
/// can log them with ``level`` or print them. ``description`` is the message alone.
import LoomSystem

package struct GPUDiagnostic: Sendable, Hashable, CustomStringConvertible {
    /// How loud the message should be: `.warning` when the result is less than what was asked for (no NVML,
    /// unknown locality, a guessed ordinal mapping, NVML and sysfs disagreeing), `.info` for partial overlap,
    /// `.notice` for a symbol fallback inside an older NVML.
    package let level: Level
    /// The levels a diagnostic uses; the names (and order) are swift-log's, so a caller maps them one to one.
    package enum Level: String, Sendable, Hashable {
        case info, notice, warning
    }
    /// The full sentence.
    package let message: String

    package init(_ level: Level, _ message: String) {
        self.level = level
        self.message = message
    }

    package static func warning(_ message: String) -> GPUDiagnostic { GPUDiagnostic(.warning, message) }
    package static func info(_ message: String) -> GPUDiagnostic { GPUDiagnostic(.info, message) }
    package static func notice(_ message: String) -> GPUDiagnostic { GPUDiagnostic(.notice, message) }

    package var description: String { self.message }
}
