import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCRecipe
import Loom
import Testing

@Suite("gRPC on Loom", .timeLimit(.minutes(5)))
struct GRPCRecipeTests {
    @Test("unary calls over loopback, many at once; a bad argument is invalidArgument; graceful shutdown")
    func calls() async throws {
        let runtime = try makeRuntime("grpc")
        let kernelNames = Set(runtime.threads.map(\.kernelName))
        let server = GRPCRecipe.makeServer(runtime: runtime, port: 0)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let port = try #require(try await server.transport.listeningAddress.ipv4?.port)
            let transport = try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: port),
                transportSecurity: .plaintext,
                eventLoopGroup: runtime.eventLoopGroup
            )
            try await withGRPCClient(transport: transport) { client in
                #expect(try await GRPCRecipe.countPrimes(upTo: 1000, client: client) == .init(limit: 1000, primes: 168))

                let limits = Array(stride(from: 0, through: 20_000, by: 500))
                let answers = try await withThrowingTaskGroup(of: GRPCRecipe.CountResponse.self) { calls in
                    for limit in limits {
                        calls.addTask { try await GRPCRecipe.countPrimes(upTo: limit, client: client) }
                    }
                    return try await calls.reduce(into: []) { $0.append($1) }
                }
                #expect(
                    answers.sorted { $0.limit < $1.limit } == limits.map { .init(limit: $0, primes: primesUpTo($0)) }
                )

                let error = await #expect(throws: RPCError.self) {
                    try await GRPCRecipe.countPrimes(upTo: -1, client: client)
                }
                #expect(error?.code == .invalidArgument)
            }
            server.beginGracefulShutdown()
        }
        runtime.shutdown()
        await runtime.waitForShutdown()
        runtime.close()
        #expect(threadNames().isDisjoint(with: kernelNames))
    }
}

/// The plain count, to check the service against.
private func primesUpTo(_ limit: Int) -> Int {
    guard limit >= 2 else { return 0 }
    return (2...limit).filter { n in n < 4 || !(2...Int(Double(n).squareRoot())).contains { n % $0 == 0 } }.count
}
