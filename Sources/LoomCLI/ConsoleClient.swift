import CLoomSystem
import Foundation
import LoomCompute

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The client side of a runtime's statistics console (protocol version 1, `Documentation/Console.md`): connects to
/// the socket, checks the greeting, and asks for snapshots.
final class ConsoleClient {
    /// Why talking to a console failed; each says what to do.
    enum Failure: Error, CustomStringConvertible {
        case cannotConnect(path: String, errno: Int32)
        case notASocket(path: String)
        case notAConsole(path: String, said: String)
        case wentAway(path: String)
        case timedOut(path: String)
        case garbage(path: String, detail: String)

        var description: String {
            switch self {
            case .cannotConnect(let path, ENOENT):
                "No Loom console at \(path): start the program with LOOM_CONSOLE=\(path) (or --loom-console)."
            case .cannotConnect(let path, ECONNREFUSED):
                "Nothing listens at \(path): the program that served it has exited."
            case .cannotConnect(let path, EACCES):
                "Permission denied for \(path): a console only accepts its own user."
            case .cannotConnect(let path, ENAMETOOLONG):
                "\(path) is too long for a Unix socket path (at most 107 bytes)."
            case .cannotConnect(let path, let code):
                "Could not connect to \(path): \(String(cString: strerror(code)))."
            case .notASocket(let path):
                "\(path) is not a socket: give the path the program was started with in LOOM_CONSOLE."
            case .notAConsole(let path, let said):
                "\(path) is not a Loom console (version 1); it said: \(said.isEmpty ? "nothing" : said)"
            case .wentAway(let path):
                "The runtime at \(path) went away."
            case .timedOut(let path):
                "The console at \(path) did not answer in time."
            case .garbage(let path, let detail):
                "The console at \(path) sent something that is not a statistics snapshot: \(detail)"
            }
        }
    }

    let path: String
    /// The runtime's prefix, from the greeting.
    private(set) var prefix: String
    private let fd: Int32
    private var buffer: [UInt8] = []
    private let timeoutMilliseconds: Int32

    private static let greeting = "loom-console 1 "
    private static let maximumLine = 64 << 20

    /// Connects and reads the greeting.
    init(path: String, timeout: Duration = .seconds(5)) throws(Failure) {
        let fd = cloom_unix_connect(path)
        guard fd >= 0 else {
            var status = stat()
            if lstat(path, &status) == 0 && status.st_mode & S_IFMT != S_IFSOCK { throw .notASocket(path: path) }
            throw .cannotConnect(path: path, errno: -fd)
        }
        self.fd = fd
        self.path = path
        self.prefix = ""
        self.timeoutMilliseconds = Int32(max(1, timeout.inSeconds * 1000))
        let line: String
        do {
            line = try self.readLine(limit: 4096)
        } catch .wentAway {
            throw .notAConsole(path: path, said: "")
        }
        guard line.hasPrefix(Self.greeting) else {
            throw .notAConsole(path: path, said: String(line.prefix(80)))
        }
        self.prefix = String(line.dropFirst(Self.greeting.count))
    }

    deinit { close(self.fd) }

    /// One snapshot: the decoded value and the JSON line it came in.
    func statistics() throws(Failure) -> (statistics: LoomStatistics, json: String) {
        try self.write("stats\n")
        let line = try self.readLine(limit: Self.maximumLine)
        if line.hasPrefix("error ") { throw .garbage(path: self.path, detail: line) }
        do {
            let decoder = JSONDecoder()
            decoder.keyDecodingStrategy = .convertFromSnakeCase
            return (try decoder.decode(LoomStatistics.self, from: Data(line.utf8)), line)
        } catch {
            throw .garbage(path: self.path, detail: "\(String(line.prefix(80)))… (\(error))")
        }
    }

    private func write(_ text: String) throws(Failure) {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes {
                send(self.fd, $0.baseAddress! + offset, $0.count - offset, Self.noSignal)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .wentAway(path: self.path)
            }
            offset += written
        }
    }

    #if os(Linux)
    private static let noSignal = Int32(MSG_NOSIGNAL)
    #else
    private static let noSignal: Int32 = 0
    #endif

    private func readLine(limit: Int) throws(Failure) -> String {
        while true {
            if let newline = self.buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: self.buffer[..<newline], as: UTF8.self)
                self.buffer.removeSubrange(...newline)
                return line
            }
            if self.buffer.count > limit {
                throw .garbage(path: self.path, detail: "a line longer than \(limit) bytes")
            }
            var descriptor = pollfd(fd: self.fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, self.timeoutMilliseconds)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { throw .timedOut(path: self.path) }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { read(self.fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { throw .wentAway(path: self.path) }
            self.buffer += chunk[0..<count]
        }
    }
}
