/// Sends one HTTP request and returns its response.
///
/// The live transport talks to the network; recording and replaying transports (see the cassette
/// work) wrap or replace it. Everything above this protocol is unaware which one it has.
public protocol HTTPTransport: Sendable {
    /// Sends the request; throws ``TransportError`` when no HTTP response arrives.
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

/// Why a request got no HTTP response.
public enum TransportError: Error, Sendable, Equatable {
    /// Nothing listens at host:port.
    case connectionRefused(host: String, port: Int)
    /// The host name does not resolve.
    case hostNotFound(host: String)
    /// No connection within the connect timeout.
    case connectTimeout(host: String, seconds: Double)
    /// The response did not complete in time.
    case responseTimeout(url: String, seconds: Double)
    /// The connection closed before a complete response.
    case connectionClosed(url: String)
    /// TLS failed.
    case tls(host: String, detail: String)
    /// The response body is larger than the transport accepts (`limit` bytes).
    case bodyTooLarge(url: String, limit: Int)
    /// The URL cannot be sent.
    case invalidURL(url: String)
    /// Anything else, described by the underlying library.
    case other(url: String, detail: String)

    /// Whether retrying the same request may succeed.
    public var isTransient: Bool {
        switch self {
        case .connectionClosed, .responseTimeout, .connectTimeout: true
        default: false
        }
    }
}
