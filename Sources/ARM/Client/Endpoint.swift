import Foundation
import HTTPCore

/// The ARM endpoint nwsh talks to, the Azure cloud it is for, and how user-written URLs map onto it.
///
/// A path (`/subscriptions/...`) is resolved against the endpoint. An absolute URL on the cloud's
/// public ARM host (`https://management.azure.com/...` in the public cloud,
/// `https://management.usgovcloudapi.net/...` in Azure Government) is sent to the configured
/// endpoint instead, so a script written for Azure runs unchanged against the sandbox or a replay.
/// Any other host is refused, another cloud's with a sentence of its own: the session's token is
/// only ever sent to its endpoint.
public struct Endpoint: Sendable, Equatable {
    public let scheme: String
    public let host: String
    public let port: Int?
    /// The cloud the endpoint is (or stands in for).
    public let cloud: AzureCloud

    /// Parses an endpoint such as `https://management.azure.com` or `http://127.0.0.1:8080`, for
    /// `cloud`.
    public init(_ text: String, cloud: AzureCloud = .azureCloud) throws(ARMError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else {
            throw .invalidEndpoint(text)
        }
        guard components.path.isEmpty || components.path == "/" else { throw .invalidEndpoint(text) }
        self.scheme = scheme
        self.host = host.lowercased()
        self.port = components.port
        self.cloud = cloud
    }

    /// The endpoint as a base URL without a trailing slash.
    public var baseURL: String {
        "\(scheme)://\(host.contains(":") ? "[\(host)]" : host)\(port.map { ":\($0)" } ?? "")"
    }

    /// The absolute URL for what a user wrote: a path or an absolute URL.
    public func resolve(_ target: String) throws(ARMError) -> String {
        if target.utf8.contains(where: { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") }),
            let offset = target.firstIndex(where: { $0 == " " || $0 == "\t" || $0 == "\n" })
        {
            throw .invalidURL(
                target,
                reason:
                    "it contains white space at character \(target.distance(from: target.startIndex, to: offset) + 1) (did a variable expand to text with spaces?)"
            )
        }
        if target.hasPrefix("/") {
            return baseURL + target
        }
        guard target.contains("://") else {
            throw .invalidURL(target, reason: "it is neither an absolute URL (https://...) nor a path starting with /")
        }
        guard let (scheme, host, port) = Self.authority(of: target) else {
            throw .invalidURL(target, reason: "it cannot be parsed as a URL")
        }
        let pathAndQuery = Self.pathAndQuery(of: target)
        if host == cloud.resourceManagerHost || isThisEndpoint(scheme: scheme, host: host, port: port) {
            return baseURL + pathAndQuery
        }
        if let other = AzureCloud.owning(resourceManagerHost: host) {
            throw .otherCloud(host: host, cloud: other, sessionCloud: cloud)
        }
        throw .foreignHost(host: host, endpoint: baseURL)
    }

    /// Whether a URL points at this endpoint.
    public func accepts(_ url: String) -> Bool {
        guard let (scheme, host, port) = Self.authority(of: url) else { return false }
        return isThisEndpoint(scheme: scheme, host: host, port: port)
    }

    /// The scheme, lower-cased host and port of an absolute URL; nil when it cannot be parsed.
    /// Plain URLs (printable ASCII that URLs allow, no user info, no IPv6 literal, no percent
    /// escapes in the host) are read by hand, as this runs for every request; anything else is
    /// left to Foundation's `URLComponents`.
    static func authority(of url: String) -> (scheme: String, host: String, port: Int?)? {
        let bytes = Array(url.utf8)
        if let plain = plainAuthority(bytes) { return plain }
        guard let components = URLComponents(string: url), let host = components.host?.lowercased(), let scheme = components.scheme else {
            return nil
        }
        return (scheme, host, components.port)
    }

    private static func plainAuthority(_ bytes: [UInt8]) -> (scheme: String, host: String, port: Int?)? {
        guard bytes.allSatisfy(isPlainURLByte), let colon = bytes.firstIndex(of: UInt8(ascii: ":")),
            colon > 0, bytes.count > colon + 2, bytes[colon + 1] == UInt8(ascii: "/"), bytes[colon + 2] == UInt8(ascii: "/"),
            bytes[..<colon].allSatisfy({
                isLetter($0) || isDigit($0) || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".")
            }),
            isLetter(bytes[0])
        else { return nil }
        let start = colon + 3
        let end =
            bytes[start...].firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? bytes.endIndex
        let authority = bytes[start..<end]
        guard !authority.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "[") || $0 == UInt8(ascii: "%") }) else {
            return nil
        }
        var host = authority[...]
        var port: Int?
        if let portColon = authority.lastIndex(of: UInt8(ascii: ":")) {
            host = authority[..<portColon]
            let digits = authority[(portColon + 1)...]
            if !digits.isEmpty {
                guard digits.count <= 5, digits.allSatisfy(isDigit), let number = Int(String(decoding: digits, as: UTF8.self)),
                    number <= 65535
                else { return nil }
                port = number
            }
        }
        guard !host.isEmpty else { return nil }
        return (String(decoding: bytes[..<colon], as: UTF8.self).lowercased(), String(decoding: host, as: UTF8.self).lowercased(), port)
    }

    private static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z") }
    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// Letters, digits and the characters RFC 3986 allows unescaped in a URL.
    private static func isPlainURLByte(_ byte: UInt8) -> Bool {
        if isLetter(byte) || isDigit(byte) { return true }
        switch byte {
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: ":"), UInt8(ascii: "/"),
            UInt8(ascii: "?"), UInt8(ascii: "#"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "@"), UInt8(ascii: "!"),
            UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"),
            UInt8(ascii: "+"), UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="), UInt8(ascii: "%"):
            return true
        default:
            return false
        }
    }

    private func isThisEndpoint(scheme: String, host: String, port: Int?) -> Bool {
        let defaultPort = self.scheme == "https" ? 443 : 80
        return scheme.lowercased() == self.scheme && host == self.host && (port ?? defaultPort) == (self.port ?? defaultPort)
    }

    /// The path, query and fragment of an absolute URL, as written.
    static func pathAndQuery(of url: String) -> String {
        let bytes = url.utf8
        guard
            let schemeEnd = bytes.indices.first(where: { index in
                bytes[index] == UInt8(ascii: ":") && bytes[index...].starts(with: "://".utf8)
            })
        else { return url }
        let afterAuthority = bytes[bytes.index(schemeEnd, offsetBy: 3)...]
        guard let slash = afterAuthority.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") }) else { return "/" }
        let rest = String(Substring(afterAuthority[slash...]))
        return afterAuthority[slash] == UInt8(ascii: "?") ? "/" + rest : rest
    }
}
