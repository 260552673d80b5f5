import CLoomSystem
import Foundation
import LoomCompute
import LoomConfiguration
import LoomSystem

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves a runtime's ``LoomStatistics`` on a Unix socket (``LoomConfiguration/console``) for `loom top`.
///
/// One helper thread (`{prefix}-console`) polls the listening socket, a wake-up pipe and up to
/// ``maximumClients`` connections; it never blocks on a client. The protocol (version 1, in
/// `Documentation/Console.md`): on connect the server sends `loom-console 1 <prefix>`; each line `stats` from the
/// client is answered with one line of JSON (``LoomStatistics`` with snake_case keys); `quit` closes. Anything else
/// is answered with a line starting `error `; a line longer than ``maximumLineLength`` bytes, a client that does not
/// read its answers, or a peer of another user is disconnected. The socket is owner-only (mode 0600) before it
/// accepts connections.
final class ConsoleServer: @unchecked Sendable {
    // Sendable: `thread` is written once in `start` before the object is shared; the rest is touched by the console
    // thread only, or is immutable.

    /// The version in the greeting; bumped when a line's meaning changes.
    static let protocolVersion = 1
    static let maximumClients = 16
    static let maximumLineLength = 1024

    #if os(Linux)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let noSignal: Int32 = 0
    #endif

    private let path: String
    private let greeting: [UInt8]
    private let snapshot: @Sendable () -> LoomStatistics
    private let listener: Int32
    private let wakeRead: Int32
    private let wakeWrite: Int32
    private var thread: PinnedThread?
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    private struct Client {
        let fd: Int32
        var buffer: [UInt8] = []
    }

    private init(
        path: String,
        prefix: String,
        listener: Int32,
        wake: (Int32, Int32),
        snapshot: @escaping @Sendable () -> LoomStatistics
    ) {
        self.path = path
        self.greeting = Array("loom-console \(Self.protocolVersion) \(prefix)\n".utf8)
        self.snapshot = snapshot
        self.listener = listener
        self.wakeRead = wake.0
        self.wakeWrite = wake.1
    }

    /// Creates the socket at `path` and starts serving.
    ///
    /// - Throws: ``LoomError``: ``LoomError/Code/invalidConfiguration`` (naming key `console`, the path and its
    ///   source) when something other than a socket is at `path`, when another process serves a console there, or
    ///   when the path is too long; ``LoomError/Code/systemError`` when the socket or thread cannot be created.
    static func start(
        path: String,
        source: String,
        prefix: String,
        snapshot: @escaping @Sendable () -> LoomStatistics
    ) throws(LoomError) -> ConsoleServer {
        func invalid(_ reason: String) -> LoomError {
            .invalidValue(key: "console", value: path, source: source, reason: reason)
        }
        var status = stat()
        if lstat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFSOCK else {
                throw invalid("a file that is not a socket is there; choose another path or remove it")
            }
            let probe = cloom_unix_connect(path)
            if probe >= 0 {
                close(probe)
                throw invalid("another process serves a console on this socket")
            }
            unlink(path)  // A socket nobody listens on: left by a process that exited.
        }
        let listener = cloom_unix_listen(path, 16)
        guard listener >= 0 else {
            if listener == -ENAMETOOLONG { throw invalid("the path is too long for a Unix socket") }
            throw LoomError(
                .systemError,
                description: "Could not create the console socket \"\(path)\" (\(source)): "
                    + "\(String(cString: strerror(-listener))).",
                key: "console",
                value: path,
                source: source
            )
        }
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else {
            close(listener)
            unlink(path)
            throw LoomError(.systemError, description: "Could not create the console's wake-up pipe.")
        }
        for fd in pipeFDs {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
        let server = ConsoleServer(
            path: path,
            prefix: prefix,
            listener: listener,
            wake: (pipeFDs[0], pipeFDs[1]),
            snapshot: snapshot
        )
        let info = ThreadNames.helper(prefix: prefix, pool: .async, name: "console", shortName: "con")
        do {
            server.thread = try PinnedThread.start(info, stackSize: 1 << 20) { server.run() }
        } catch {
            server.closeDescriptors()
            throw error
        }
        return server
    }

    /// Stops serving: wakes the thread, joins it, closes every connection and removes the socket file.
    func stop() {
        var byte: UInt8 = 1
        _ = write(self.wakeWrite, &byte, 1)
        self.thread?.join()
        self.closeDescriptors()
    }

    private func closeDescriptors() {
        close(self.listener)
        close(self.wakeRead)
        close(self.wakeWrite)
        unlink(self.path)
    }

    // MARK: The console thread

    private func run() {
        var clients: [Client] = []
        defer { for client in clients { close(client.fd) } }
        while true {
            var fds = [
                pollfd(fd: self.wakeRead, events: Int16(POLLIN), revents: 0),
                pollfd(fd: self.listener, events: Int16(POLLIN), revents: 0),
            ]
            fds += clients.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
            let ready = poll(&fds, nfds_t(fds.count), -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return
            }
            if fds[0].revents != 0 { return }  // stop()
            var keep: [Client] = []
            for (index, var client) in clients.enumerated() {
                let events = fds[index + 2].revents
                if events == 0 || self.serve(&client) {
                    keep.append(client)
                } else {
                    close(client.fd)
                }
            }
            clients = keep
            if fds[1].revents & Int16(POLLIN) != 0 { self.acceptClients(into: &clients) }
        }
    }

    private func acceptClients(into clients: inout [Client]) {
        while true {
            let fd = accept(self.listener, nil, nil)
            guard fd >= 0 else { return }  // EAGAIN: none left (or an error: try again on the next poll).
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            // The socket's mode already keeps other users out; the peer check holds even if the mode is changed.
            guard cloom_peer_uid(fd) == Int(getuid()) else {
                close(fd)
                continue
            }
            guard clients.count < Self.maximumClients else {
                _ = self.sendAll(Array("error too many clients\n".utf8), to: fd)
                close(fd)
                continue
            }
            guard self.sendAll(self.greeting, to: fd) else {
                close(fd)
                continue
            }
            clients.append(Client(fd: fd))
        }
    }

    /// Reads what the client sent and answers each complete line; `false` when the connection should close.
    private func serve(_ client: inout Client) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = chunk.withUnsafeMutableBytes { read(client.fd, $0.baseAddress, $0.count) }
        if count < 0 { return errno == EAGAIN || errno == EINTR }
        if count == 0 { return false }  // The client closed.
        client.buffer += chunk[0..<count]
        while let newline = client.buffer.firstIndex(of: UInt8(ascii: "\n")) {
            let line = client.buffer[..<newline]
            client.buffer.removeSubrange(...newline)
            guard self.answer(line, fd: client.fd) else { return false }
        }
        if client.buffer.count > Self.maximumLineLength {
            _ = self.sendAll(Array("error line too long\n".utf8), to: client.fd)
            return false
        }
        return true
    }

    private func answer(_ line: ArraySlice<UInt8>, fd: Int32) -> Bool {
        var command = String(decoding: line, as: UTF8.self)
        if command.hasSuffix("\r") { command.removeLast() }
        switch command.trimmingCharacters(in: .whitespaces) {
        case "stats":
            guard var json = try? self.encoder.encode(self.snapshot()) else {
                return self.sendAll(Array("error could not encode the statistics\n".utf8), to: fd)
            }
            json.append(UInt8(ascii: "\n"))
            return self.sendAll(Array(json), to: fd)
        case "quit":
            return false
        case "":
            return true
        default:
            let shown = String(
                command.unicodeScalars.prefix(40).map {
                    $0.properties.generalCategory == .control ? "?" : Character($0)
                }
            )
            return self.sendAll(Array("error unknown command \"\(shown)\" (commands: stats, quit)\n".utf8), to: fd)
        }
    }

    /// Writes all of `bytes` to a non-blocking client; `false` when it cannot take them now (a client that does not
    /// read is dropped rather than waited for) or is gone.
    private func sendAll(_ bytes: [UInt8], to fd: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                send(fd, buffer.baseAddress! + offset, buffer.count - offset, Self.noSignal)
            }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
