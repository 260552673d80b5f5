import NIOCore
import NIOPosix
import Testing

@testable import Loom
@testable import LoomArgumentParser
@testable import LoomCompute
@testable import LoomConfiguration
@testable import LoomSystem

private struct Placement: Sendable {
    let name: String
    let cpus: CPUSet?
}

/// Echoes every byte back, recording the thread it ran on.
private final class EchoHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let seen = LockedValue<[Placement]>([])

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let placement = Placement(name: LoomRuntime.currentThreadName(), cpus: CPUSet.currentThreadAffinity())
        self.seen.withLock { $0.append(placement) }
        context.writeAndFlush(data, promise: nil)
    }
}

/// Collects what the server sends back and completes when `expected` bytes have arrived.
private final class CollectHandler: ChannelInboundHandler, @unchecked Sendable {
    // Sendable: touched only on the client channel's event loop.
    typealias InboundIn = ByteBuffer
    private var received = ""
    private let expected: Int
    let done: EventLoopPromise<String>

    init(expected: Int, done: EventLoopPromise<String>) {
        self.expected = expected
        self.done = done
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        self.received += buffer.readString(length: buffer.readableBytes) ?? ""
        if self.received.utf8.count >= self.expected { self.done.succeed(self.received) }
    }
}

@Suite("eventLoopGroup", .timeLimit(.minutes(10)))
struct EventLoopGroupTests {
    @Test(
        "a NIO echo server on eventLoopGroup answers over loopback, its I/O on prefixed threads pinned to the async CPUs"
    )
    func echo() throws {
        let runtime = try LoomBuilder().prefix("nio").asyncThreads(1).computeThreads(1).pinThreads(true).build()
        defer { runtime.close() }
        let group = runtime.eventLoopGroup
        let echo = EchoHandler()
        let server = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in channel.pipeline.addHandler(echo) }
            .bind(host: "127.0.0.1", port: 0).wait()
        defer { try? server.close().wait() }

        let message = "hello from loom"
        let promise = group.next().makePromise(of: String.self)
        let client = try ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.pipeline.addHandler(CollectHandler(expected: message.utf8.count, done: promise))
            }
            .connect(to: server.localAddress!).wait()
        defer { try? client.close().wait() }
        try client.writeAndFlush(ByteBuffer(string: message)).wait()
        #expect(try promise.futureResult.wait() == message)

        let seen = echo.seen.withLock { $0 }
        let io = runtime.threads.filter { $0.pool == .io }
        #expect(io.count == 1 && io[0].name == "nio-io-0000")
        #expect(!seen.isEmpty)
        for placement in seen {
            #expect(placement.name == io[0].kernelName)
            #expect(placement.name.hasPrefix("nio"))
            #expect(placement.cpus == runtime.configuration.asyncCPUs)
        }
    }

    @Test("the group is created once and belongs to the runtime")
    func createdOnce() throws {
        let runtime = try LoomRuntime.forTests("once", asyncThreads: 2)
        defer { runtime.close() }
        #expect(runtime.threads.filter { $0.pool == .io }.isEmpty)
        let first = ObjectIdentifier(runtime.eventLoopGroup as AnyObject)
        let second = ObjectIdentifier(runtime.eventLoopGroup as AnyObject)
        #expect(first == second)
        #expect(runtime.threads.filter { $0.pool == .io }.map(\.name) == ["once-io-0000", "once-io-0001"])
        let current = try runtime.eventLoopGroup.next().submit { LoomRuntime.current === runtime }.wait()
        #expect(current)
    }

    @Test("the group is NIO's concrete MultiThreadedEventLoopGroup, with one loop per async thread")
    func concreteType() throws {
        let runtime = try LoomRuntime.forTests("mtelg", asyncThreads: 2)
        defer { runtime.close() }
        // Compiles only while the property's type is the concrete group (grpc-swift 2's transport needs it).
        let group: MultiThreadedEventLoopGroup = runtime.eventLoopGroup
        #expect(Array(group.makeIterator()).count == 2)
    }
}
