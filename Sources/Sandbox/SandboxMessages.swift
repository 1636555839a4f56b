import HTTPCore

/// A request as the sandbox sees it, independent of the HTTP server that received it.
public struct SandboxRequest: Sendable {
    public var method: String
    /// The path, percent-decoded, without the query.
    public var path: String
    /// Query items in order.
    public var query: [(name: String, value: String)]
    /// Header fields in order, repeated ones kept; looked up ignoring case.
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// `scheme://host:port` the client used, for the URLs the sandbox hands out (Location, nextLink).
    public var baseURL: String

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = [:], body: [UInt8] = [],
        baseURL: String
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.baseURL = baseURL
    }

    /// The first query value with this name (case-insensitive, as ARM treats `api-version`).
    public func queryValue(_ name: String) -> String? {
        query.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The sandbox's answer, and how to deliver it.
public struct SandboxResponse: Sendable {
    /// How the server delivers the response.
    public enum Delivery: Sendable, Equatable {
        case normal
        /// Wait this many seconds first (fault injection: a slow response).
        case delayed(Double)
        /// Send the head and part of the body, then close the connection (fault injection).
        case dropConnection
    }

    public var status: Int
    public var headers: HTTPHeaders
    public var body: [UInt8]
    public var delivery: Delivery

    public init(status: Int, headers: HTTPHeaders = [:], body: [UInt8] = [], delivery: Delivery = .normal) {
        self.status = status
        self.headers = headers
        self.body = body
        self.delivery = delivery
    }
}
