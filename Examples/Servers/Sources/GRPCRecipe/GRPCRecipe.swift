// A gRPC 2 service on Loom: the HTTP/2 server transport on the runtime's `MultiThreadedEventLoopGroup` (the
// concrete type the transport requires), each call's CPU work on the compute pool. Messages are JSON (a
// `Codable` struct and a serializer pair) so that the recipe needs no protobuf code generation; a generated
// service is wired the same way. `grpc-on-loom` serves it; `RecipeTests` call it over loopback.
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Loom
import RecipeWork

public enum GRPCRecipe {
    /// `loom.examples.Primes/Count`'s request.
    public struct CountRequest: Codable, Sendable {
        public var limit: Int
        public init(limit: Int) { self.limit = limit }
    }

    /// `loom.examples.Primes/Count`'s response.
    public struct CountResponse: Codable, Sendable, Equatable {
        public var limit: Int
        public var primes: Int
        public init(limit: Int, primes: Int) {
            self.limit = limit
            self.primes = primes
        }
    }

    /// The largest `limit` the service accepts.
    public static let maximumLimit = 50_000_000

    /// The one method's descriptor.
    public static let countMethod = MethodDescriptor(fullyQualifiedService: "loom.examples.Primes", method: "Count")

    /// The service: counts primes on the runtime's compute pool.
    public struct PrimeService: RegistrableRPCService {
        let runtime: LoomRuntime

        public init(runtime: LoomRuntime) { self.runtime = runtime }

        public func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
            let runtime = self.runtime
            router.registerHandler(
                forMethod: GRPCRecipe.countMethod,
                deserializer: JSONDeserializer<CountRequest>(),
                serializer: JSONSerializer<CountResponse>()
            ) { request, _ in
                let single = try await ServerRequest(stream: request)
                let limit = single.message.limit
                guard (0...GRPCRecipe.maximumLimit).contains(limit) else {
                    throw RPCError(code: .invalidArgument, message: "limit must be in 0...\(GRPCRecipe.maximumLimit)")
                }
                let primes = await runtime.spawnCompute { RecipeWork.countPrimes(upTo: limit) }
                return StreamingServerResponse(
                    single: ServerResponse(message: CountResponse(limit: limit, primes: primes))
                )
            }
        }
    }

    /// A server for ``PrimeService`` on `runtime.eventLoopGroup`, plaintext, not yet serving.
    ///
    /// - Parameters:
    ///   - runtime: the runtime whose event loops carry the transport and whose compute pool does the work.
    ///   - host: the address to listen on.
    ///   - port: the port; `0` picks a free one (`server.transport.listeningAddress` tells which).
    public static func makeServer(
        runtime: LoomRuntime,
        host: String = "127.0.0.1",
        port: Int = 50051
    ) -> GRPCServer<HTTP2ServerTransport.Posix> {
        let transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: host, port: port),
            transportSecurity: .plaintext,
            eventLoopGroup: runtime.eventLoopGroup
        )
        return GRPCServer(transport: transport, services: [PrimeService(runtime: runtime)])
    }

    /// Calls `Count` through `client`.
    public static func countPrimes(
        upTo limit: Int,
        client: GRPCClient<some ClientTransport>
    ) async throws -> CountResponse {
        try await client.unary(
            request: ClientRequest(message: CountRequest(limit: limit)),
            descriptor: Self.countMethod,
            serializer: JSONSerializer<CountRequest>(),
            deserializer: JSONDeserializer<CountResponse>(),
            options: .defaults
        ) { response in try response.message }
    }
}

/// Encodes a message as JSON.
struct JSONSerializer<Message: Encodable>: MessageSerializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: Message) throws -> Bytes {
        Bytes(try JSONEncoder().encode(message))
    }
}

/// Decodes a message from JSON.
struct JSONDeserializer<Message: Decodable>: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> Message {
        try serializedMessageBytes.withUnsafeBytes { try JSONDecoder().decode(Message.self, from: Data($0)) }
    }
}
