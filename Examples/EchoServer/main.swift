// A SwiftNIO echo server on the runtime's event loops (the async CPUs), answering one client, then exiting.
// swift run EchoServer
import Loom
import NIOCore
import NIOPosix

final class Echo: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        print("server read on thread", Loom.LoomRuntime.current.map { "\($0.configuration.prefix)-io" } ?? "?")
        context.writeAndFlush(data, promise: nil)
    }
}

final class Reply: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    let done: EventLoopPromise<String>
    init(done: EventLoopPromise<String>) { self.done = done }
    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = self.unwrapInboundIn(data)
        self.done.succeed(buffer.readString(length: buffer.readableBytes) ?? "")
    }
}

let runtime = try LoomBuilder().prefix("echo").build()
let group = runtime.eventLoopGroup
let server = try ServerBootstrap(group: group)
    .childChannelInitializer { $0.pipeline.addHandler(Echo()) }
    .bind(host: "127.0.0.1", port: 0).wait()
let reply = group.next().makePromise(of: String.self)
let client = try ClientBootstrap(group: group)
    .channelInitializer { $0.pipeline.addHandler(Reply(done: reply)) }
    .connect(to: server.localAddress!).wait()
try client.writeAndFlush(ByteBuffer(string: "hello, loom")).wait()
print("client got:", try reply.futureResult.wait())
print("I/O threads:", runtime.threads.filter { $0.pool == .io }.map { "\($0.kernelName) cpus \($0.cpus)" })
try client.close().wait()
try server.close().wait()
runtime.close()
