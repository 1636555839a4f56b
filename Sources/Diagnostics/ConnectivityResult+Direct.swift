import JSON

extension ConnectivityResult {
    /// Reads a result straight from the text, without the JSON tree of each hop (for
    /// `explain @file` of a large result, where building and searching the trees took most of
    /// the time).
    ///
    /// It only reads what ``init(json:)`` would read the same way, and declines (returns nil)
    /// anything else, which ``init(bytes:)`` then reads through the tree and, when it is wrong,
    /// says where: text that is not JSON; a wrong type anywhere; a member name that matches a
    /// field only ignoring case (`"Type"`), or a field named twice, because the tree's rules for
    /// those (exact name first, then the first that matches ignoring case; a repeated name's last
    /// value) are its own. Issues, which are few, and a link's `context` are read as trees with
    /// ``Reader``'s own code.
    static func readDirectly(_ bytes: [UInt8]) -> ConnectivityResult? {
        JSONParser.reading(bytes) { json in
            var reader = DirectReader(json: json)
            return try? reader.document()
        }
    }
}

/// The reader behind ``ConnectivityResult/readDirectly(_:)``: every method throws when the
/// text is not one it reads the tree's way.
private struct DirectReader {
    /// Thrown for what the tree reads differently, or reports.
    struct Declined: Error {}

    var json: JSONParser
    let tree = ConnectivityResult.Reader()

    static let resultFields = JSONParser.MemberNames([
        "connectionStatus", "probesSent", "probesFailed", "avgLatencyInMs", "minLatencyInMs", "maxLatencyInMs", "hops",
    ])
    static let hopFields = JSONParser.MemberNames(["type", "id", "address", "resourceId", "nextHopIds", "issues", "links"])
    static let linkFields = JSONParser.MemberNames([
        "nextHopId", "roundTripTimeMin", "roundTripTimeAvg", "roundTripTimeMax", "context", "issues",
    ])

    mutating func document() throws -> ConnectivityResult {
        var result = ConnectivityResult()
        var seen: UInt32 = 0
        var members = try object()
        while let name = try json.nextMember(&members) {
            switch try field(name, among: Self.resultFields, seen: &seen) {
            case 0: result.status = try string()
            case 1: result.probesSent = try int()
            case 2: result.probesFailed = try int()
            case 3: result.averageLatency = try int()
            case 4: result.minimumLatency = try int()
            case 5: result.maximumLatency = try int()
            case 6: result.hops = try array { (reader) throws in try reader.hop() }
            default: try json.readValue()
            }
        }
        guard seen & 1 << 6 != 0 else { throw Declined() }
        try json.endDocument()
        return result
    }

    mutating func hop() throws -> ConnectivityResult.Hop {
        var hop = ConnectivityResult.Hop(type: "Unknown")
        var seen: UInt32 = 0
        var members = try object()
        while let name = try json.nextMember(&members) {
            switch try field(name, among: Self.hopFields, seen: &seen) {
            case 0: hop.type = try string() ?? "Unknown"
            case 1: hop.id = try string()
            case 2: hop.address = try string()
            case 3: hop.resourceId = try string()
            case 4:
                hop.nextHopIds = try array { (reader) throws in
                    guard let id = try reader.string() else { throw Declined() }
                    return id
                }
            case 5: hop.issues = try tree.issues(json.readValue(), at: "")
            case 6: hop.links = try array { (reader) throws in try reader.link() }
            default: try json.readValue()
            }
        }
        return hop
    }

    mutating func link() throws -> ConnectivityResult.Link {
        var link = ConnectivityResult.Link()
        var seen: UInt32 = 0
        var context: JSONValue?
        var members = try object()
        while let name = try json.nextMember(&members) {
            switch try field(name, among: Self.linkFields, seen: &seen) {
            case 0: link.nextHopId = try string()
            case 1: link.roundTripTimeMin = try int()
            case 2: link.roundTripTimeAvg = try int()
            case 3: link.roundTripTimeMax = try int()
            case 4: context = try json.readValue()
            case 5: link.issues = try tree.issues(json.readValue(), at: "")
            default: try json.readValue()
            }
        }
        // As Reader.link: a time given directly wins; otherwise the API's string in "context".
        func time(_ direct: Int?, _ key: String) throws -> Int? {
            if let direct { return direct }
            return try tree.string(context?[key], at: "").flatMap { Int($0) }
        }
        link.roundTripTimeMin = try time(link.roundTripTimeMin, "roundTripTimeMin")
        link.roundTripTimeAvg = try time(link.roundTripTimeAvg, "roundTripTimeAvg")
        link.roundTripTimeMax = try time(link.roundTripTimeMax, "roundTripTimeMax")
        return link
    }

    /// Which of `fields` the name is, marking it in `seen` (a bit for each field); nil for a name
    /// that is none of them.
    private func field(_ name: JSONParser.Name, among fields: JSONParser.MemberNames, seen: inout UInt32) throws -> Int? {
        guard let (position, exactly) = json.match(name, among: fields) else { return nil }
        guard exactly, seen & 1 << position == 0 else { throw Declined() }
        seen |= 1 << position
        return position
    }

    private mutating func object() throws -> JSONParser.Members {
        guard try json.peek() == .object else { throw Declined() }
        return try json.beginObject()
    }

    /// An array's elements read by `element`; null reads as no elements, as in ``Reader``.
    private mutating func array<Element>(_ element: (inout DirectReader) throws -> Element) throws -> [Element] {
        switch try json.peek() {
        case .null?:
            try json.readValue()
            return []
        case .array?:
            var elements: [Element] = []
            var cursor = try json.beginArray()
            while try json.nextElement(&cursor) { elements.append(try element(&self)) }
            return elements
        default:
            throw Declined()
        }
    }

    private mutating func string() throws -> String? {
        switch try json.peek() {
        case .string?: return try json.readString()
        case .null?:
            try json.readValue()
            return nil
        default: throw Declined()
        }
    }

    private mutating func int() throws -> Int? {
        switch try json.peek() {
        case .number?:
            guard let int = try json.readInteger() else { throw Declined() }
            return int
        case .null?:
            try json.readValue()
            return nil
        default: throw Declined()
        }
    }
}
