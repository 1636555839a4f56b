import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

import struct HTTPCore.HTTPHeaders

/// The sandbox on real HTTP: a Hummingbird server on a loopback port in front of ``SandboxARM``.
public final class SandboxServer: Sendable {
    /// The emulator behind the server, for injecting faults and reading its log.
    public let arm: SandboxARM
    /// The port the server listens on.
    public let port: Int
    /// The host it listens on.
    public let host: String
    private let task: Task<Void, Error>

    /// `http://host:port`.
    public var baseURL: String { "http://\(host):\(port)" }

    private init(arm: SandboxARM, host: String, port: Int, task: Task<Void, Error>) {
        self.arm = arm
        self.host = host
        self.port = port
        self.task = task
    }

    /// Starts a server; port 0 picks a free one. Returns once it accepts connections.
    public static func start(
        host: String = "127.0.0.1", port: Int = 0, options: SandboxOptions = SandboxOptions(), data: SandboxData? = nil
    ) async throws -> SandboxServer {
        let arm = SandboxARM(data: try data ?? SandboxData.bundled(), options: options)
        let responder = CallbackResponder<BasicRequestContext> { request, _ in
            try await Self.respond(to: request, arm: arm)
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        var logger = Logger(label: "nwsh-sandbox")
        logger.logLevel = .critical
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(host, port: port), serverName: "nwsh-sandbox"),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? port)
                continuation.finish()
            },
            logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await application.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            let failure: Error
            do {
                try await task.value
                failure = SandboxDataError.invalid("the server stopped before it started listening")
            } catch {
                failure = error
            }
            throw failure
        }
        return SandboxServer(arm: arm, host: host, port: bound, task: task)
    }

    /// Stops the server.
    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }

    /// Waits until the server stops (for the standalone executable).
    public func wait() async throws {
        try await task.value
    }

    private static func respond(to request: Request, arm: SandboxARM) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 * 1024 * 1024)
        var headers = HTTPHeaders()
        for field in request.headers { headers.add(field.name.rawName, field.value) }
        let host = request.head.authority ?? headers["host"] ?? "127.0.0.1"
        let query = (request.uri.query ?? "").split(separator: "&").map { pair -> (name: String, value: String) in
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (parts.first ?? "", parts.count > 1 ? parts[1] : "")
        }
        let sandboxRequest = SandboxRequest(
            method: request.method.rawValue, path: request.uri.path.removingPercentEncoding ?? request.uri.path, query: query,
            headers: headers, body: Array(body.readableBytesView), baseURL: "http://\(host)")
        let answer = await arm.handle(sandboxRequest)
        var fields = HTTPFields()
        for header in answer.headers {
            if let name = HTTPField.Name(header.name) { fields.append(HTTPField(name: name, value: header.value)) }
        }
        let status = HTTPResponse.Status(code: answer.status)
        switch answer.delivery {
        case .normal:
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        case .delayed(let seconds):
            try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
            return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
        case .dropConnection:
            let partial = answer.body
            return Response(
                status: status, headers: fields,
                body: ResponseBody(contentLength: partial.count + 4096) { writer in
                    try await writer.write(ByteBuffer(bytes: partial))
                    throw SandboxDataError.invalid("connection dropped on purpose (fault injection)")
                })
        }
    }
}
