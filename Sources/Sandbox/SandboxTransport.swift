import Foundation
import HTTPCore

/// A transport that hands each request straight to a sandbox's handler, in process, with no
/// socket: the test seam that HummingbirdTesting's `.router` mode is for Hummingbird. Tests of
/// logic above HTTP (a session's commands, the ARM client's polling) run on it; tests of HTTP
/// itself (timeouts, refused and dropped connections, recording real exchanges) keep a
/// ``SandboxServer`` on a loopback port.
///
/// The sandbox answers as it does over HTTP: the same handler, the same faults. A `delay` fault
/// waits (cancellably); a `drop` fault, which over HTTP closes the connection mid-response, fails
/// the request with ``TransportError/connectionClosed(url:)``, as the live transport reports it.
public struct SandboxTransport: HTTPTransport {
    /// The emulator the requests go to, for injecting faults and reading its log.
    public let arm: SandboxARM
    /// The base URL the sandbox hands out in `Location` and `nextLink` (no server listens there).
    public let baseURL: String

    public init(arm: SandboxARM, baseURL: String = "http://sandbox.localhost") {
        self.arm = arm
        self.baseURL = baseURL
    }

    /// A transport to a new sandbox with the bundled data (or `data`).
    public init(options: SandboxOptions = SandboxOptions(), data: SandboxData? = nil) throws {
        self.init(arm: SandboxARM(data: try data ?? SandboxData.bundled(), options: options))
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try Task.checkCancellation()
        guard let components = URLComponents(string: request.url), let host = components.host else {
            throw TransportError.invalidURL(url: request.url)
        }
        let answer = await arm.handle(
            SandboxRequest(
                method: request.method, path: components.path, query: (components.queryItems ?? []).map { ($0.name, $0.value ?? "") },
                headers: request.headers, body: request.body ?? [],
                baseURL: "\(components.scheme ?? "http")://\(host)\(components.port.map { ":\($0)" } ?? "")"))
        switch answer.delivery {
        case .normal: break
        case .delayed(let seconds): try await Task.sleep(for: .milliseconds(Int64(seconds * 1000)))
        case .dropConnection: throw TransportError.connectionClosed(url: request.url)
        }
        return HTTPResponse(status: answer.status, headers: answer.headers, body: answer.body)
    }
}
