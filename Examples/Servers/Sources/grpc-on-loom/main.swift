// A gRPC 2 server on Loom.
//
//   PORT=50051 LOOM_ASYNC_THREADS=1 swift run grpc-on-loom
//
// Serves `loom.examples.Primes/Count` until SIGTERM or SIGINT, then shuts down gracefully: calls in flight
// finish, then the runtime stops.
import Foundation
import GRPCRecipe
import Loom

let runtime = try LoomBuilder().envPrefix("LOOM").build()
let server = GRPCRecipe.makeServer(
    runtime: runtime,
    port: Int(ProcessInfo.processInfo.environment["PORT"] ?? "") ?? 50051
)

let signals = [SIGTERM, SIGINT].map { number -> any DispatchSourceSignal in
    signal(number, SIG_IGN)
    let source = DispatchSource.makeSignalSource(signal: number)
    source.setEventHandler { server.beginGracefulShutdown() }
    source.resume()
    return source
}
try await withThrowingDiscardingTaskGroup { group in
    group.addTask { try await server.serve() }
    let address = try await server.transport.listeningAddress
    FileHandle.standardOutput.write(Data("listening on \(address)\n".utf8))
}
signals.forEach { $0.cancel() }
runtime.shutdown()
await runtime.waitForShutdown()
runtime.close()
