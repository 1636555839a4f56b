import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix

/// The transport that talks to the network, through AsyncHTTPClient.
///
/// It honours `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` per request host (AsyncHTTPClient has no
/// environment support of its own), fails at once on a refused connection instead of retrying the
/// connect until the deadline, and maps network failures to ``TransportError``.
public final class LiveTransport: HTTPTransport {
    /// Timeouts for one request.
    public struct Timeouts: Sendable {
        /// Longest wait for a TCP (and TLS) connection.
        public var connect: Double
        /// Longest wait for a whole response.
        public var response: Double

        public init(connect: Double = 10, response: Double = 120) {
            self.connect = connect
            self.response = response
        }
    }

    private let direct: HTTPClient
    private let viaProxy: HTTPClient?
    private let proxySettings: ProxySettings
    private let timeouts: Timeouts
    /// Responses larger than this are refused rather than held in memory.
    private let maximumBodyBytes = 256 * 1024 * 1024

    /// Creates a transport; `environment` supplies the proxy variables.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, timeouts: Timeouts = Timeouts()) {
        self.timeouts = timeouts
        self.proxySettings = ProxySettings(environment: environment)
        direct = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Self.configuration(timeouts: timeouts, proxy: nil))
        if let server = proxySettings.httpsProxy ?? proxySettings.httpProxy {
            viaProxy = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: Self.configuration(timeouts: timeouts, proxy: server))
        } else {
            viaProxy = nil
        }
    }

    private static func configuration(timeouts: Timeouts, proxy: ProxySettings.Server?) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .milliseconds(Int64(timeouts.connect * 1000)), read: .milliseconds(Int64(timeouts.response * 1000)))
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .ratio(100))
        if let proxy {
            let authorization = proxy.username.map { HTTPClient.Authorization.basic(username: $0, password: proxy.password ?? "") }
            configuration.proxy = .server(host: proxy.host, port: proxy.port, authorization: authorization)
        }
        return configuration
    }

    deinit {
        // Non-blocking: a deinit may run on an event-loop thread, where syncShutdown would trap.
        direct.shutdown { _ in }
        viaProxy?.shutdown { _ in }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let components = URLComponents(string: request.url), let scheme = components.scheme, let host = components.host else {
            throw TransportError.invalidURL(url: request.url)
        }
        let port = components.port ?? (scheme.lowercased() == "https" ? 443 : 80)
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .RAW(value: request.method)
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        let client = proxySettings.proxy(forScheme: scheme, host: host) != nil ? (viaProxy ?? direct) : direct
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeouts.response * 1000)))
            var headers = HTTPHeaders()
            for field in response.headers {
                headers.add(field.name, field.value)
            }
            let buffer = try await response.body.collect(upTo: maximumBodyBytes)
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw Self.classify(error, url: request.url, host: host, port: port, timeouts: timeouts)
        }
    }

    /// Maps AsyncHTTPClient and NIO errors to ``TransportError``.
    static func classify(_ error: Error, url: String, host: String, port: Int, timeouts: Timeouts) -> TransportError {
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.isEmpty, connection.dnsAError != nil || connection.dnsAAAAError != nil {
                return .hostNotFound(host: host)
            }
            if connection.connectionErrors.contains(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED }) {
                return .connectionRefused(host: host, port: port)
            }
        }
        if let io = error as? IOError, io.errnoCode == ECONNREFUSED {
            return .connectionRefused(host: host, port: port)
        }
        if let client = error as? HTTPClientError {
            switch client {
            case .connectTimeout: return .connectTimeout(host: host, seconds: timeouts.connect)
            case .deadlineExceeded, .readTimeout: return .responseTimeout(url: url, seconds: timeouts.response)
            case .remoteConnectionClosed, .cancelled: return .connectionClosed(url: url)
            default: break
            }
        }
        if let channel = error as? ChannelError {
            switch channel {
            case .connectTimeout: return .connectTimeout(host: host, seconds: timeouts.connect)
            case .eof, .ioOnClosedChannel, .alreadyClosed: return .connectionClosed(url: url)
            default: break
            }
        }
        let detail = String(describing: error)
        if detail.contains("Connection refused") { return .connectionRefused(host: host, port: port) }
        if detail.contains("DNS") || detail.contains("NXDOMAIN") { return .hostNotFound(host: host) }
        if detail.lowercased().contains("ssl") || detail.lowercased().contains("tls") || detail.contains("handshake") {
            return .tls(host: host, detail: detail)
        }
        if detail.contains("HTTPParserError") || detail.contains("invalidEOFState") || detail.contains("stream ended at an unexpected time") { return .connectionClosed(url: url) }
        return .other(url: url, detail: detail)
    }
}
