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
            bytes[bytes.index(after: slash)] == UInt8(ascii: "/")
        {
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

    /// A path with equivalent spellings made one: every percent-escape is decoded except those of
    /// characters that would change the path's structure (`/`, `?`, `#`, `%`), which are kept
    /// with upper-case hex digits. `;` and `%3B`, `(` and `%28`, `%2f` and `%2F` then compare equal,
    /// as they do for ARM; `%2F` and `/` do not.
    public static func normalized(path: String) -> String {
        // Most paths have no escape: return them as they are, without a copy.
        guard path.utf8.contains(UInt8(ascii: "%")) else { return path }
        let bytes = Array(path.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "%"), index + 2 < bytes.count, let high = hexValue(bytes[index + 1]),
                let low = hexValue(bytes[index + 2])
            {
                let decoded = high << 4 | low
                if decoded == UInt8(ascii: "/") || decoded == UInt8(ascii: "?") || decoded == UInt8(ascii: "#")
                    || decoded == UInt8(ascii: "%")
                {
                    output += [UInt8(ascii: "%")] + Array(String(format: "%02X", decoded).utf8)
                } else {
                    output.append(decoded)
                }
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Percent-decodes a query component (Foundation only when there is something to decode).
    private static func decode(_ bytes: Substring.UTF8View.SubSequence) -> String {
        let text = String(Substring(bytes))
        guard bytes.contains(UInt8(ascii: "%")) else { return text }
        return text.removingPercentEncoding ?? text
    }
}
