import Foundation

/// A URL's path and query items, ignoring scheme and host: what replay matches on, and what HAR
/// exports and bug-report bundles list.
public enum URLParts {
    /// The path and query items of a URL, ignoring scheme and host.
    public static func split(_ url: String) -> (path: String, query: [(name: String, value: String)]) {
        // Works on UTF-8 code units: this runs for every request replayed and every interaction loaded.
        var bytes = Substring(url).utf8[...]
        // Skip "scheme://host" when the URL is absolute: the first "/" either starts "//" or the path.
        if let slash = bytes.firstIndex(of: UInt8(ascii: "/")), slash > bytes.startIndex,
           bytes[bytes.index(before: slash)] == UInt8(ascii: ":"), bytes.index(after: slash) < bytes.endIndex,
           bytes[bytes.index(after: slash)] == UInt8(ascii: "/") {
            let host = bytes[bytes.index(slash, offsetBy: 2)...]
            bytes = host[(host.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") } ?? host.endIndex)...]
        }
        let pathEnd = bytes.firstIndex(of: UInt8(ascii: "?")) ?? bytes.endIndex
        var path = String(Substring(bytes[..<pathEnd]))
        if path.isEmpty { path = "/" }
        guard pathEnd < bytes.endIndex else { return (path, []) }
        let queryBytes = bytes[bytes.index(after: pathEnd)...]
        let query = queryBytes.split(separator: UInt8(ascii: "&")).map { item -> (name: String, value: String) in
            let equals = item.firstIndex(of: UInt8(ascii: "=")) ?? item.endIndex
            let name = decode(item[..<equals])
            let value = equals < item.endIndex ? decode(item[item.index(after: equals)...]) : ""
            return (name, value)
        }
        return (path, query)
    }

    /// Percent-decodes a query component (Foundation only when there is something to decode).
    private static func decode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        let text = String(Substring(bytes))
        guard bytes.contains(UInt8(ascii: "%")) else { return text }
        return text.removingPercentEncoding ?? text
    }
}
