/// A path in ARM's resource tree, taken apart into what `cd`, `ls`, Tab completion and the
/// choice of an `api-version` need: the subscription, the resource group, and the provider
/// namespace with its type and name segments
/// (`/subscriptions/S/resourceGroups/G/providers/Microsoft.Network/virtualNetworks/V/subnets/A`).
///
/// Segments are kept as written; ARM compares them ignoring case, and so does everything here.
public struct ARMPath: Sendable, Hashable, CustomStringConvertible {
    /// The segments between slashes, none empty.
    public let segments: [String]

    /// The top of the tree, `/`.
    public static let root = ARMPath(segments: [])

    public init(segments: [String]) {
        self.segments = segments
    }

    /// Parses the path of an ARM URL (`/subscriptions/S/...`; a query after `?` is left out, and
    /// trailing slashes are ignored); nil when it does not start with `/` or has an empty segment.
    /// `/` and `?` are found among the text's Unicode scalars, not its characters: a segment that
    /// starts with a combining mark (`/\u{59F}`) makes one character of the slash and the mark.
    public init?(_ text: String) {
        let path = Self.splitQuery(text).path.unicodeScalars
        guard path.first == "/" else { return nil }
        var parts = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false)
        while parts.last?.isEmpty == true { parts.removeLast() }
        guard !parts.contains(where: \.isEmpty) else { return nil }
        self.init(segments: parts.map { String(String.UnicodeScalarView($0)) })
    }

    /// A URL or path and the query after its first `?` (found among the Unicode scalars).
    public static func splitQuery(_ text: String) -> (path: String, query: String?) {
        let scalars = text.unicodeScalars
        guard let question = scalars.firstIndex(of: "?") else { return (text, nil) }
        return (String(scalars[..<question]), String(scalars[scalars.index(after: question)...]))
    }

    /// Whether what is written is a path from the top (`/...`), among the Unicode scalars.
    public static func isAbsolute(_ text: String) -> Bool { text.unicodeScalars.first == "/" }

    public var description: String { "/" + segments.joined(separator: "/") }

    /// The last segment; nil at the root.
    public var last: String? { segments.last }

    /// The path one segment up; nil at the root.
    public var parent: ARMPath? { segments.isEmpty ? nil : ARMPath(segments: Array(segments.dropLast())) }

    /// The path with more segments after it.
    public func appending(_ more: [String]) -> ARMPath { ARMPath(segments: segments + more) }

    /// Whether segment `index` is `word`, ignoring case.
    func segment(_ index: Int, is word: String) -> Bool {
        index < segments.count && segments[index].lowercased() == word.lowercased()
    }

    /// The subscription ID, for a path under `/subscriptions/S`.
    public var subscription: String? { segment(0, is: "subscriptions") && segments.count > 1 ? segments[1] : nil }

    /// The resource group's name, for a path under `/subscriptions/S/resourceGroups/G`.
    public var resourceGroup: String? {
        subscription != nil && segment(2, is: "resourceGroups") && segments.count > 3 ? segments[3] : nil
    }

    /// What follows the last `providers` segment: the namespace, then type and name segments in
    /// turn (`virtualNetworks`, `V`, `subnets`, `A`). A `providers` segment that is itself a
    /// resource's name (the third segment of a type/name pair) is not taken for one.
    public struct ProviderPart: Sendable, Hashable {
        /// Where the provider part starts: the index of its `providers` segment.
        public var start: Int
        public var namespace: String
        /// The type segments: `["virtualNetworks", "subnets"]`.
        public var types: [String]
        /// The name segments, one per type but the last when the path ends at a collection.
        public var names: [String]

        /// The resource type as ARM names it: `Microsoft.Network/virtualNetworks/subnets`.
        public var resourceType: String { ([namespace] + types).joined(separator: "/") }
    }

    /// The provider part of the path, when it has one with a namespace.
    public var provider: ProviderPart? {
        // Scan pairs from the start: a `providers` segment counts where a type would come (after
        // the subscription or group, or after a resource's name), not where a name would.
        var index = subscription == nil ? 0 : (resourceGroup == nil ? 2 : 4)
        var found: ProviderPart?
        while index < segments.count {
            if segment(index, is: "providers"), index + 1 < segments.count {
                var part = ProviderPart(start: index, namespace: segments[index + 1], types: [], names: [])
                var cursor = index + 2
                while cursor < segments.count {
                    if segment(cursor, is: "providers"), part.names.count == part.types.count, cursor + 1 < segments.count { break }
                    if part.types.count == part.names.count {
                        part.types.append(segments[cursor])
                    } else {
                        part.names.append(segments[cursor])
                    }
                    cursor += 1
                }
                found = part
                index = cursor
            } else {
                index += 1
            }
        }
        return found
    }
}
