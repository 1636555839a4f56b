import Foundation

/// The proxy to use for a host, from `HTTPS_PROXY` / `HTTP_PROXY` and `NO_PROXY` as curl reads them.
public struct ProxySettings: Sendable, Equatable {
    /// A proxy server.
    public struct Server: Sendable, Equatable {
        public var host: String
        public var port: Int
        public var username: String?
        public var password: String?
    }

    public var httpsProxy: Server?
    public var httpProxy: Server?
    /// `NO_PROXY` entries, lower-cased: host names, domain suffixes (`.example.com` or `example.com`), or `*`.
    public var exclusions: [String]

    /// Reads the settings from an environment (upper- or lower-case names; lower-case wins, as in curl).
    public init(environment: [String: String]) {
        func value(_ name: String) -> String? {
            let candidate = environment[name.lowercased()] ?? environment[name]
            return candidate?.isEmpty == false ? candidate : nil
        }
        httpsProxy = value("HTTPS_PROXY").flatMap(Self.parseServer)
        httpProxy = value("HTTP_PROXY").flatMap(Self.parseServer)
        exclusions = (value("NO_PROXY") ?? "")
            .split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
    }

    /// The proxy for a request to `host` over `scheme`, or nil to connect directly.
    public func proxy(forScheme scheme: String, host: String) -> Server? {
        let host = host.lowercased()
        for exclusion in exclusions {
            if exclusion == "*" { return nil }
            let bare = exclusion.hasPrefix(".") ? String(exclusion.dropFirst()) : exclusion
            let hostOnly = bare.split(separator: ":").first.map(String.init) ?? bare
            if host == hostOnly || host.hasSuffix("." + hostOnly) { return nil }
        }
        return scheme.lowercased() == "https" ? httpsProxy : httpProxy
    }

    /// Parses `http://user:pass@host:port` or `host:port`.
    static func parseServer(_ text: String) -> Server? {
        var rest = Substring(text)
        if let range = rest.range(of: "://") { rest = rest[range.upperBound...] }
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var username: String?
        var password: String?
        if let at = rest.lastIndex(of: "@") {
            let credentials = rest[..<at].split(separator: ":", maxSplits: 1)
            username = credentials.first.map(String.init)
            password = credentials.count > 1 ? String(credentials[1]) : nil
            rest = rest[rest.index(after: at)...]
        }
        let pieces = rest.split(separator: ":")
        guard let host = pieces.first, !host.isEmpty else { return nil }
        let port = pieces.count > 1 ? Int(pieces[1]) ?? 8080 : 8080
        return Server(host: String(host), port: port, username: username, password: password)
    }
}
