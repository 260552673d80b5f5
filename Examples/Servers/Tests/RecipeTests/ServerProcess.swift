import Foundation

/// A recipe's executable run as a child process, its output collected.
final class ServerProcess: @unchecked Sendable {
    struct Exit {
        let status: Int32
        let reason: Process.TerminationReason
        let standardOutput: String
        let standardError: String
    }

    private let process = Process()
    private let output = Pipe()
    private let error = Pipe()
    private let listening = Handover<Int>()
    private let exited = Handover<Void>()
    private let outputText = OutputText()
    private let errorText = OutputText()

    /// Starts `executable` with the test's environment plus `environment`.
    init(executable: URL, environment: [String: String]) throws {
        self.process.executableURL = executable
        self.process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        self.process.standardOutput = self.output
        self.process.standardError = self.error
        let (exited, listening) = (self.exited, self.listening)
        self.process.terminationHandler = { _ in
            listening.finish()  // A program that dies before it listens does not leave port() waiting.
            exited.send(())
        }
        try self.process.run()
        Self.collect(self.output.fileHandleForReading, into: self.outputText) { [listening] line in
            // "listening on 127.0.0.1:PORT"
            if line.hasPrefix("listening on "), let port = line.split(separator: ":").last.flatMap({ Int($0) }) {
                listening.send(port)
            }
        }
        Self.collect(self.error.fileHandleForReading, into: self.errorText) { _ in }
    }

    /// The port from the program's `listening on HOST:PORT` line.
    func port() async throws -> Int {
        guard let port = await self.listening.receive() else {
            let exit = await self.exit()
            throw NeverListened(status: exit.status, standardError: exit.standardError)
        }
        return port
    }

    /// Sends SIGTERM.
    func terminate() { kill(self.process.processIdentifier, SIGTERM) }

    /// Waits for the process to end.
    func exit() async -> Exit {
        _ = await self.exited.receive()
        self.outputText.waitForEnd()
        self.errorText.waitForEnd()
        return Exit(
            status: self.process.terminationStatus,
            reason: self.process.terminationReason,
            standardOutput: self.outputText.text,
            standardError: self.errorText.text
        )
    }

    deinit {
        if self.process.isRunning { kill(self.process.processIdentifier, SIGKILL) }
    }

    /// Reads `handle` to its end on a thread of its own, line by line.
    private static func collect(
        _ handle: FileHandle,
        into text: OutputText,
        onLine: @escaping @Sendable (String) -> Void
    ) {
        Thread.detachNewThread {
            var pending = ""
            while true {
                let data = handle.availableData
                if data.isEmpty { break }
                let chunk = String(decoding: data, as: UTF8.self)
                text.append(chunk)
                pending += chunk
                while let newline = pending.firstIndex(of: "\n") {
                    onLine(String(pending[..<newline]))
                    pending = String(pending[pending.index(after: newline)...])
                }
            }
            text.finish()
        }
    }

    struct NeverListened: Error, CustomStringConvertible {
        let status: Int32
        let standardError: String
        var description: String {
            "the program exited (\(self.status)) before it listened; stderr:\n\(self.standardError)"
        }
    }
}

/// Text collected from a pipe; `waitForEnd()` blocks until the writer has closed it.
final class OutputText: @unchecked Sendable {
    private let condition = NSCondition()
    private var collected = ""
    private var ended = false

    var text: String {
        self.condition.lock()
        defer { self.condition.unlock() }
        return self.collected
    }

    func append(_ chunk: String) {
        self.condition.lock()
        self.collected += chunk
        self.condition.unlock()
    }

    func finish() {
        self.condition.lock()
        self.ended = true
        self.condition.broadcast()
        self.condition.unlock()
    }

    func waitForEnd() {
        self.condition.lock()
        while !self.ended { self.condition.wait() }
        self.condition.unlock()
    }
}
