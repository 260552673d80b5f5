import CLoomSystem
import Foundation
import Testing

@testable import Loom
@testable import LoomCLI
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

#if canImport(Glibc)
import Glibc
#endif

/// A socket path of this test process's own, removed afterwards.
private func socketPath(_ name: String) -> String {
    let path = "/tmp/loom-test-\(getpid())-\(name).sock"
    unlink(path)
    return path
}

/// A raw connection, for talking to the console the way a broken or hostile peer would.
private final class RawConnection {
    let fd: Int32
    init(_ path: String) throws {
        self.fd = cloom_unix_connect(path)
        try #require(self.fd >= 0, "connect: \(String(cString: strerror(-self.fd)))")
    }
    deinit { close(self.fd) }

    func send(_ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { Glibc.send(self.fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until a newline or the end; `nil` at the end.
    func line() -> String? {
        var bytes: [UInt8] = []
        var byte: UInt8 = 0
        while read(self.fd, &byte, 1) == 1 {
            if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
            bytes.append(byte)
        }
        return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
    }
}

@Suite("Console", .timeLimit(.minutes(10)))
struct ConsoleTests {
    private func runtime(_ prefix: String, console path: String) throws -> LoomRuntime {
        try LoomBuilder().prefix(prefix).asyncThreads(1).computeThreads(2).pinThreads(false).console(path: path)
            .build()
    }

    @Test("the socket is owner-only, and a snapshot over it is what statistics() says")
    func snapshotMatches() throws {
        let path = socketPath("snap")
        let runtime = try self.runtime("t-console", console: path)
        runtime.blockOn {
            for index in 0..<25 { _ = await runtime.spawnCompute { index } }
        }
        var status = stat()
        #expect(lstat(path, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFSOCK)
        #expect(status.st_mode & 0o777 == 0o600)
        #expect(status.st_uid == getuid())

        let client = try ConsoleClient(path: path)
        #expect(client.prefix == "t-console")
        let (remote, _) = try client.statistics()
        let local = runtime.statistics()
        #expect(remote.prefix == local.prefix)
        #expect(remote.threads.map(\.name) == local.threads.map(\.name))
        #expect(remote.asyncPool.jobsRun == local.asyncPool.jobsRun)
        #expect(remote.computePool.jobsRun == local.computePool.jobsRun)
        #expect(remote.spawnComputeLatency == local.spawnComputeLatency)
        #expect(remote.computePool.threads.map(\.cpus) == local.computePool.threads.map(\.cpus))

        runtime.close()
        #expect(throws: ConsoleClient.Failure.self) { try client.statistics() }
        #expect(access(path, F_OK) != 0, "the socket file is removed when the runtime closes")
    }

    @Test("loom top --once --json prints the snapshot; the text view fits a narrow terminal")
    func topOnce() throws {
        let path = socketPath("top")
        let runtime = try self.runtime("t-top", console: path)
        defer { runtime.close() }
        runtime.blockOn { _ = await runtime.spawnCompute { 1 } }
        var lines: [String] = []
        let json = try TopCommand.parse(["--attach", path, "--once", "--json"])
        try json.watch(path) { lines.append($0) }
        #expect(lines.count == 1)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let printed = try decoder.decode(LoomStatistics.self, from: Data(lines[0].utf8))
        let local = runtime.statistics()
        #expect(printed.prefix == "t-top")
        #expect(printed.computePool.jobsRun == local.computePool.jobsRun)
        #expect(printed.spawnComputeCalls == 1)

        for width in [1, 10, 40, 200] {
            let view = TopView.render(local, previous: printed, width: width)
            #expect(view.allSatisfy { $0.count <= width })
            if width >= 10 { #expect(view.first?.hasPrefix("loom top") == true) }
        }
        let full = TopView.render(local, previous: nil, width: 200)
        #expect(full.filter { $0.hasPrefix("t-top-") || $0.hasPrefix("t-top") }.count >= 3)
    }

    @Test("garbage, long lines and silent peers do not disturb the console")
    func garbage() throws {
        let path = socketPath("garbage")
        let runtime = try self.runtime("t-garbage", console: path)
        defer { runtime.close() }
        let raw = try RawConnection(path)
        #expect(raw.line() == "loom-console 1 t-garbage")
        raw.send(Array("hello\n".utf8))
        #expect(raw.line()?.hasPrefix("error unknown command \"hello\"") == true)
        raw.send([0xFF, 0xFE, 0x00, 0x01, 0x0A])
        #expect(raw.line()?.hasPrefix("error unknown command") == true)
        raw.send(Array("stats\r\n".utf8))
        #expect(raw.line()?.hasPrefix("{") == true)
        let silent = try RawConnection(path)  // connects and never speaks
        #expect(silent.line()?.hasPrefix("loom-console 1") == true)
        let long = try RawConnection(path)
        _ = long.line()
        long.send([UInt8](repeating: UInt8(ascii: "x"), count: 5000))
        #expect(long.line() == "error line too long")
        #expect(long.line() == nil, "the server closes the connection")
        raw.send(Array("quit\n".utf8))
        #expect(raw.line() == nil)
        // Still serving.
        let client = try ConsoleClient(path: path)
        #expect(try client.statistics().statistics.prefix == "t-garbage")
    }

    @Test("a wrong socket, a peer that is not a console and a busy path each give a clear error")
    func wrongPeers() throws {
        let missing = socketPath("missing")
        #expect {
            _ = try ConsoleClient(path: missing)
        } throws: { error in
            (error as? ConsoleClient.Failure)?.description.contains("No Loom console at \(missing)") == true
        }

        // A listening socket that speaks another protocol.
        let other = socketPath("other")
        let listener = cloom_unix_listen(other, 4)
        try #require(listener >= 0)
        defer {
            close(listener)
            unlink(other)
        }
        let answer = Thread {
            var descriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            _ = poll(&descriptor, 1, 10_000)
            let fd = accept(listener, nil, nil)
            let text = Array("HTTP/1.1 400 Bad Request\r\n\r\n".utf8)
            _ = text.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            close(fd)
        }
        answer.start()
        #expect {
            _ = try ConsoleClient(path: other)
        } throws: { error in
            (error as? ConsoleClient.Failure)?.description.contains("is not a Loom console") == true
        }

        // A path that is a regular file, and a path another runtime serves.
        let file = "/tmp/loom-test-\(getpid())-file"
        _ = FileManager.default.createFile(atPath: file, contents: Data("x".utf8))
        defer { unlink(file) }
        #expect {
            _ = try self.runtime("t-file", console: file)
        } throws: { error in
            let error = error as? LoomError
            return error?.code == .invalidConfiguration && error?.key == "console" && error?.value == file
                && error?.description.contains("not a socket") == true
        }
        #expect {
            _ = try ConsoleClient(path: file)
        } throws: { error in
            (error as? ConsoleClient.Failure)?.description.contains("is not a socket") == true
        }
        let busy = socketPath("busy")
        let first = try self.runtime("t-busy1", console: busy)
        defer { first.close() }
        #expect {
            _ = try self.runtime("t-busy2", console: busy)
        } throws: { error in
            (error as? LoomError)?.description.contains("another process serves a console") == true
        }
        #expect(try ConsoleClient(path: busy).prefix == "t-busy1", "the first runtime still serves its socket")
    }

    @Test("a stale socket left by an exited process is replaced")
    func staleSocket() throws {
        let path = socketPath("stale")
        let stale = cloom_unix_listen(path, 1)
        try #require(stale >= 0)
        close(stale)  // The file stays; nobody listens.
        let runtime = try self.runtime("t-stale", console: path)
        defer { runtime.close() }
        #expect(try ConsoleClient(path: path).prefix == "t-stale")
    }

    @Test("bad console paths are LoomErrors naming the key and source")
    func badPaths() {
        let long = "/tmp/" + String(repeating: "a", count: 120)
        for (value, reason) in [("", "must not be empty"), (long, "at most 107 bytes")] {
            #expect {
                _ = try LoomBuilder().environment(["LOOM_CONSOLE": value]).envPrefix("LOOM").resolve()
            } throws: { error in
                let error = error as? LoomError
                return error?.key == "console" && error?.source == "environment variable LOOM_CONSOLE"
                    && error?.description.contains(reason) == true
            }
        }
    }
}
