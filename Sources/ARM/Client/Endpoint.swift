import Foundation

/// The ARM endpoint nwsh talks to, and how user-written URLs map onto it.
///
/// A path (`/subscriptions/...`) is resolved against the endpoint. An absolute URL on the public
/// ARM host (`https://management.azure.com/...`) is sent to the configured endpoint instead, so a
/// script written for Azure runs unchanged against the sandbox or a replay. Any other host is
/// refused: the session's token is only ever sent to its endpoint.
public struct Endpoint: Sendable, Equatable {
    /// The public cloud's ARM host.
    public static let publicARMHost = "management.azure.com"
    /// The public cloud's ARM endpoint.
    public static let publicCloud = "https://management.azure.com"

    public let scheme: String
    public let host: String
    public let port: Int?

    /// Parses an endpoint such as `https://management.azure.com` or `http://127.0.0.1:8080`.
    public init(_ text: String) throws(ARMError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw .invalidEndpoint(text)
        }
        guard components.path.isEmpty || components.path == "/" else { throw .invalidEndpoint(text) }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = components.port
    }

    /// The endpoint as a base URL without a trailing slash.
    public var baseURL: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)\(port.map { ":\($0)" } ?? "")"
    }

    /// The absolute URL for what a user wrote: a path or an absolute URL.
    public func resolve(_ target: String) throws(ARMError) -> String {
        if let offset = target.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" }) {
            throw .invalidURL(target, reason: "it contains white space at character \(target.distance(from: target.startIndex, to: offset) + 1) (did a variable expand to text with spaces?)")
        }
        if target.hasPrefix("/") {
            return baseURL + target
        }
        guard target.contains("://") else {
            throw .invalidURL(target, reason: "it is neither an absolute URL (https://...) nor a path starting with /")
        }
        guard let components = URLComponents(string: target), let host = components.host?.lowercased(), let scheme = components.scheme else {
            throw .invalidURL(target, reason: "it cannot be parsed as a URL")
        }
        let pathAndQuery = Self.pathAndQuery(of: target)
        if host == Self.publicARMHost || isThisEndpoint(scheme: scheme, host: host, port: components.port) {
            return baseURL + pathAndQuery
        }
        throw .foreignHost(host: host, endpoint: baseURL)
    }

    /// Whether a URL points at this endpoint (or the public ARM host it stands in for).
    public func accepts(_ url: String) -> Bool {
        guard let components = URLComponents(string: url), let host = components.host?.lowercased() else { return false }
        return isThisEndpoint(scheme: components.scheme ?? "", host: host, port: components.port)
    }

    private func isThisEndpoint(scheme: String, host: String, port: Int?) -> Bool {
        let defaultPort = self.scheme == "https" ? 443 : 80
        return scheme.lowercased() == self.scheme && host == self.host && (port ?? defaultPort) == (self.port ?? defaultPort)
    }

    /// The path, query and fragment of an absolute URL, as written.
    static func pathAndQuery(of url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return url }
        let afterAuthority = url[schemeEnd.upperBound...]
        guard let slash = afterAuthority.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
        let rest = String(afterAuthority[slash...])
        return rest.hasPrefix("?") ? "/" + rest : rest
    }
}
