import AsyncHTTPClient
import Foundation
import HTTPCore
import NIOCore
import NIOHTTPCompression
import NIOPosix
import Synchronization

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

    /// The HTTP clients, made at the first request: until then no event-loop threads exist, so a
    /// session that never sends (`nwsh -c exit`, a replay) starts faster.
    private struct Clients: Sendable {
        let direct: HTTPClient
        let viaProxy: HTTPClient?
    }
    private let clients = Mutex<Clients?>(nil)
    private let proxySettings: ProxySettings
    private let timeouts: Timeouts
    /// Responses larger than this are refused rather than held in memory.
    /// The largest response body accepted: 64 MiB. ARM pages long lists with `nextLink` (a page
    /// of 1,000 resources is a few MB), so a larger answer is not ARM's; refusing it keeps memory
    /// bounded. A `Content-Length` over it is refused before any of the body is read.
    public static let maximumBodyBytes = 64 * 1024 * 1024

    /// Creates a transport; `environment` supplies the proxy variables.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, timeouts: Timeouts = Timeouts()) {
        self.timeouts = timeouts
        self.proxySettings = ProxySettings(environment: environment)
    }

    private func client(proxied: Bool) -> HTTPClient {
        clients.withLock { clients in
            let made =
                clients
                ?? Clients(
                    direct: HTTPClient(
                        eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                        configuration: Self.configuration(timeouts: timeouts, proxy: nil)),
                    viaProxy: (proxySettings.httpsProxy ?? proxySettings.httpProxy).map {
                        HTTPClient(
                            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
                            configuration: Self.configuration(timeouts: timeouts, proxy: $0))
                    })
            clients = made
            return proxied ? (made.viaProxy ?? made.direct) : made.direct
        }
    }

    private static func configuration(timeouts: Timeouts, proxy: ProxySettings.Server?) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(
            connect: .milliseconds(Int64(timeouts.connect * 1000)), read: .milliseconds(Int64(timeouts.response * 1000)))
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
        let made = clients.withLock { $0 }
        made?.direct.shutdown { _ in }
        made?.viaProxy?.shutdown { _ in }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let (scheme, host, explicitPort) = Endpoint.authority(of: request.url) else {
            throw TransportError.invalidURL(url: request.url)
        }
        let port = explicitPort ?? (scheme == "https" ? 443 : 80)
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = .RAW(value: request.method)
        for field in request.headers {
            outgoing.headers.add(name: field.name, value: field.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(body)
        }
        let client = client(proxied: proxySettings.proxy(forScheme: scheme, host: host) != nil)
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeouts.response * 1000)))
            var headers = HTTPHeaders()
            for field in response.headers {
                headers.add(field.name, field.value)
            }
            // collect(upTo:) refuses a Content-Length over the limit before reading any of the
            // body, and a longer stream as soon as it passes the limit.
            let buffer: ByteBuffer
            do {
                buffer = try await response.body.collect(upTo: Self.maximumBodyBytes)
            } catch is NIOTooManyBytesError {
                throw TransportError.bodyTooLarge(url: request.url, limit: Self.maximumBodyBytes)
            }
            return HTTPResponse(status: Int(response.status.code), headers: headers, body: Array(buffer.readableBytesView))
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as TransportError {
            throw error
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
        // async-http-client asks for gzip and deflate, and decodes what comes back, at most 100
        // times the size that arrived (a compression bomb stops there).
        if let decompression = error as? NIOHTTPDecompression.DecompressionError {
            switch decompression {
            case .limit:
                return .other(url: url, detail: "its compressed body expands to more than 100 times its size, more than nwsh decodes")
            case .inflationError, .initializationError:
                return .other(url: url, detail: "its compressed body (Content-Encoding gzip or deflate) is corrupt")
            }
        }
        if error is NIOHTTPDecompression.ExtraDecompressionError {
            return .other(url: url, detail: "its compressed body (Content-Encoding gzip or deflate) is corrupt")
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
        if detail.contains("HTTPParserError") || detail.contains("invalidEOFState") || detail.contains("stream ended at an unexpected time")
        {
            return .connectionClosed(url: url)
        }
        return .other(url: url, detail: detail)
    }
}
