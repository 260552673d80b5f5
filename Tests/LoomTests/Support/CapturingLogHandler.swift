import Logging
import Synchronization

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

/// A swift-log handler that keeps what it is given, and lets a test wait for a message (no sleeps).
final class CapturedLog: Sendable {
    private let state = LockedValue<(messages: [String], waiters: [(String, UnsafeContinuation<String, Never>)])>(
        ([], [])
    )

    /// A logger that writes here.
    var logger: Logger {
        Logger(label: "loom-test") { _ in CapturingLogHandler(log: self) }
    }

    var messages: [String] { self.state.withLock { $0.messages } }

    fileprivate func append(_ message: String) {
        let ready = self.state.withLock { state -> [UnsafeContinuation<String, Never>] in
            state.messages.append(message)
            let (matching, rest) = (
                state.waiters.filter { message.contains($0.0) }, state.waiters.filter { !message.contains($0.0) }
            )
            state.waiters = rest
            return matching.map(\.1)
        }
        for waiter in ready { waiter.resume(returning: message) }
    }

    /// Returns the first message containing `text`, waiting for it if it has not been logged yet.
    func first(containing text: String) async -> String {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<String, Never>) in
            let found = self.state.withLock { state -> String? in
                if let message = state.messages.first(where: { $0.contains(text) }) { return message }
                state.waiters.append((text, continuation))
                return nil
            }
            if let found { continuation.resume(returning: found) }
        }
    }
}

private struct CapturingLogHandler: LogHandler {
    let log: CapturedLog
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { self.metadata[key] }
        set { self.metadata[key] = newValue }
    }

    /// `warning: text [loom.pool=compute, loom.thread=x]`: the level, the message, then the metadata sorted by key.
    func log(event: LogEvent) {
        let metadata = self.metadata.merging(event.metadata ?? [:]) { $1 }
        let fields = metadata.keys.sorted().map { "\($0)=\(metadata[$0]!)" }
        self.log.append(
            "\(event.level): \(event.message)" + (fields.isEmpty ? "" : " [\(fields.joined(separator: ", "))]")
        )
    }
}
