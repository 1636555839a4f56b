import JSON

/// The result of a connectivity check (the API's `ConnectivityInformation`), read from JSON.
///
/// Fields the API marks optional stay optional, and strings the API enumerates (hop types, issue
/// types, origins, severities, the status) stay strings: the service returns values its own
/// specification does not list (`Reachable`, `Unreachable`), and an explanation must never drop
/// what it does not know.
public struct ConnectivityResult: Sendable, Equatable {
    /// `connectionStatus`: `Reachable`/`Unreachable` in practice; the spec lists
    /// `Connected`, `Disconnected`, `Degraded` and `Unknown`.
    public var status: String?
    public var probesSent: Int?
    public var probesFailed: Int?
    /// Latency in milliseconds over the probes.
    public var averageLatency: Int?
    public var minimumLatency: Int?
    public var maximumLatency: Int?
    public var hops: [Hop]

    public init(status: String? = nil, probesSent: Int? = nil, probesFailed: Int? = nil, hops: [Hop] = []) {
        self.status = status
        self.probesSent = probesSent
        self.probesFailed = probesFailed
        self.hops = hops
    }

    /// One hop of the path.
    public struct Hop: Sendable, Equatable {
        /// `Source`, `VirtualAppliance`, `VnetLocal`, `Internet`, `Destination`, ...
        public var type: String
        public var id: String?
        public var address: String?
        public var resourceId: String?
        public var nextHopIds: [String]
        public var issues: [Issue]
        /// Links to next hops, with round-trip times when the service measured them.
        public var links: [Link]

        /// Whether the hop or one of its links has an issue (without building an array).
        public var hasIssues: Bool { !issues.isEmpty || links.contains { !$0.issues.isEmpty } }

        /// The hop's issues, then its links'.
        public var allIssues: [Issue] { issues + links.flatMap { $0.issues } }

        public init(
            type: String, id: String? = nil, address: String? = nil, resourceId: String? = nil, nextHopIds: [String] = [],
            issues: [Issue] = [], links: [Link] = []
        ) {
            self.type = type
            self.id = id
            self.address = address
            self.resourceId = resourceId
            self.nextHopIds = nextHopIds
            self.issues = issues
            self.links = links
        }
    }

    /// A link from a hop to one of its next hops.
    public struct Link: Sendable, Equatable {
        public var nextHopId: String?
        public var roundTripTimeMin: Int?
        public var roundTripTimeAvg: Int?
        public var roundTripTimeMax: Int?
        public var issues: [Issue]

        public init(
            nextHopId: String? = nil, roundTripTimeMin: Int? = nil, roundTripTimeAvg: Int? = nil, roundTripTimeMax: Int? = nil,
            issues: [Issue] = []
        ) {
            self.nextHopId = nextHopId
            self.roundTripTimeMin = roundTripTimeMin
            self.roundTripTimeAvg = roundTripTimeAvg
            self.roundTripTimeMax = roundTripTimeMax
            self.issues = issues
        }
    }

    /// Something that blocks or degrades traffic at a hop or link.
    public struct Issue: Sendable, Equatable {
        /// `Local`, `Inbound` or `Outbound`.
        public var origin: String?
        /// `Error` or `Warning`.
        public var severity: String?
        /// `NetworkSecurityRule`, `UserDefinedRoute`, `GuestFirewall`, ... (any string).
        public var type: String
        /// Details, in the order given (`RuleName`, `RouteType`, ...).
        public var context: [(key: String, value: String)]

        public init(origin: String? = nil, severity: String? = nil, type: String, context: [(key: String, value: String)] = []) {
            self.origin = origin
            self.severity = severity
            self.type = type
            self.context = context
        }

        public static func == (lhs: Issue, rhs: Issue) -> Bool {
            lhs.origin == rhs.origin && lhs.severity == rhs.severity && lhs.type == rhs.type
                && lhs.context.map(\.key) == rhs.context.map(\.key) && lhs.context.map(\.value) == rhs.context.map(\.value)
        }

        /// The first context value with this key, ignoring case.
        public func context(_ key: String) -> String? {
            context.first { $0.key.lowercased() == key.lowercased() }?.value
        }
    }
}

/// Why JSON is not a connectivity check result: the field (a path such as `hops[2].issues`) and
/// what is wrong with it.
public struct ResultError: Error, Sendable, Equatable, CustomStringConvertible {
    public var field: String
    public var problem: String

    public init(field: String, problem: String) {
        self.field = field
        self.problem = problem
    }

    public var description: String {
        "This is not a connectivity check result: \(field.isEmpty ? "the value" : field) \(problem). explain takes what check, or a POST to .../connectivityCheck, returned."
    }
}

extension ConnectivityResult {
    /// Reads a result from a JSON document's bytes (`explain @result.json`), straight from the
    /// text when it can (``readDirectly(_:)``). Otherwise each hop is read as soon as it is
    /// parsed and its JSON dropped, so the tree of a 10,000-hop document never exists at once.
    /// Throws `JSONParser.Failure` for JSON that does not parse, and ``ResultError`` for JSON
    /// that is not a result.
    public init(bytes: [UInt8]) throws {
        if let result = Self.readDirectly(bytes) {
            self = result
            return
        }
        let reader = Reader()
        var hops: [Hop] = []
        var streamed = false
        var failure: ResultError?
        let document = try JSONParser.parse(bytes: bytes, streaming: "hops") { value, index in
            streamed = true
            guard failure == nil else { return }
            do throws(ResultError) {
                hops.append(try reader.hop(value, at: "hops[\(index)]"))
            } catch {
                failure = error
            }
        }
        // The other fields first, then the hops, in the order the tree reader checks them, so a
        // document wrong in both places names the same field either way (found by fuzzing).
        try self.init(json: document)
        if let failure { throw failure }
        // The streamed member reads as an empty array in the document; the hops are here.
        if streamed { self.hops = hops }
    }

    /// Reads a result from JSON. Member names are matched ignoring case, as the shell's member
    /// access does. Unknown members are ignored; wrong types are errors that name the field.
    public init(json: JSONValue) throws(ResultError) {
        let reader = Reader()
        guard case .object = json else { throw ResultError(field: "", problem: "is \(Reader.kind(json)), not an object") }
        guard let hopsValue = json["hops"] else {
            throw ResultError(field: "hops", problem: "is missing")
        }
        status = try reader.string(json["connectionStatus"], at: "connectionStatus")
        probesSent = try reader.int(json["probesSent"], at: "probesSent")
        probesFailed = try reader.int(json["probesFailed"], at: "probesFailed")
        averageLatency = try reader.int(json["avgLatencyInMs"], at: "avgLatencyInMs")
        minimumLatency = try reader.int(json["minLatencyInMs"], at: "minLatencyInMs")
        maximumLatency = try reader.int(json["maxLatencyInMs"], at: "maxLatencyInMs")
        hops = try reader.array(hopsValue, at: "hops").enumerated().map { (index, value) throws(ResultError) in
            try reader.hop(value, at: "hops[\(index)]")
        }
    }

    /// Reads fields, naming the one that is wrong.
    struct Reader {
        static func kind(_ value: JSONValue) -> String {
            switch value {
            case .null: "null"
            case .bool: "a boolean"
            case .number: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }

        func string(_ value: JSONValue?, at field: @autoclosure () -> String) throws(ResultError) -> String? {
            guard let value, value != .null else { return nil }
            guard case .string(let text) = value else { throw ResultError(field: field(), problem: "is \(Self.kind(value)), not a string") }
            return text
        }

        func int(_ value: JSONValue?, at field: @autoclosure () -> String) throws(ResultError) -> Int? {
            guard let value, value != .null else { return nil }
            guard case .number(let number) = value, let int = number.intValue else {
                throw ResultError(field: field(), problem: "is \(Self.kind(value)), not a whole number")
            }
            return int
        }

        func array(_ value: JSONValue?, at field: @autoclosure () -> String) throws(ResultError) -> [JSONValue] {
            guard let value, value != .null else { return [] }
            guard case .array(let elements) = value else {
                throw ResultError(field: field(), problem: "is \(Self.kind(value)), not an array")
            }
            return elements
        }

        func hop(_ value: JSONValue, at field: @autoclosure () -> String) throws(ResultError) -> Hop {
            guard case .object = value else { throw ResultError(field: field(), problem: "is \(Self.kind(value)), not an object") }
            let nextHopIds = try array(value["nextHopIds"], at: field() + ".nextHopIds").enumerated().map {
                (index, id) throws(ResultError) in
                guard let text = try string(id, at: "\(field()).nextHopIds[\(index)]") else {
                    throw ResultError(field: "\(field()).nextHopIds[\(index)]", problem: "is null, not a string")
                }
                return text
            }
            return Hop(
                type: try string(value["type"], at: field() + ".type") ?? "Unknown",
                id: try string(value["id"], at: field() + ".id"),
                address: try string(value["address"], at: field() + ".address"),
                resourceId: try string(value["resourceId"], at: field() + ".resourceId"),
                nextHopIds: nextHopIds,
                issues: try issues(value["issues"], at: field() + ".issues"),
                links: try array(value["links"], at: field() + ".links").enumerated().map { (index, link) throws(ResultError) in
                    try self.link(link, at: "\(field()).links[\(index)]")
                })
        }

        func link(_ value: JSONValue, at field: @autoclosure () -> String) throws(ResultError) -> Link {
            guard case .object = value else { throw ResultError(field: field(), problem: "is \(Self.kind(value)), not an object") }
            // The API nests round-trip times under "context" with string values; accept numbers too.
            func time(_ key: String) throws(ResultError) -> Int? {
                if let direct = try int(value[key], at: "\(field()).\(key)") { return direct }
                guard let text = try string(value["context"]?[key], at: "\(field()).context.\(key)") else { return nil }
                return Int(text)
            }
            return Link(
                nextHopId: try string(value["nextHopId"], at: field() + ".nextHopId"),
                roundTripTimeMin: try time("roundTripTimeMin"), roundTripTimeAvg: try time("roundTripTimeAvg"),
                roundTripTimeMax: try time("roundTripTimeMax"),
                issues: try issues(value["issues"], at: field() + ".issues"))
        }

        func issues(_ value: JSONValue?, at field: @autoclosure () -> String) throws(ResultError) -> [Issue] {
            try array(value, at: field()).enumerated().map { (index, item) throws(ResultError) in
                let location = "\(field())[\(index)]"
                guard case .object = item else { throw ResultError(field: location, problem: "is \(Self.kind(item)), not an object") }
                let context = try array(item["context"], at: location + ".context").enumerated().map {
                    (position, entry) throws(ResultError) -> [(key: String, value: String)] in
                    let place = "\(location).context[\(position)]"
                    guard case .object(let object) = entry else {
                        throw ResultError(field: place, problem: "is \(Self.kind(entry)), not an object")
                    }
                    // Documented as {"key": K, "value": V}; also accept {K: V}.
                    if let key = entry["key"] {
                        guard let keyText = try string(key, at: place + ".key") else { return [] }
                        return [(keyText, try text(entry["value"], at: place + ".value") ?? "")]
                    }
                    return try object.members.map { (member) throws(ResultError) -> (key: String, value: String) in
                        (member.key, try text(member.value, at: "\(place).\(member.key)") ?? "")
                    }
                }.flatMap { $0 }
                return Issue(
                    origin: try string(item["origin"], at: location + ".origin"),
                    severity: try string(item["severity"], at: location + ".severity"),
                    type: try string(item["type"], at: location + ".type") ?? "Unknown",
                    context: context)
            }
        }

        /// A context value: a string, or a number or boolean written as text.
        private func text(_ value: JSONValue?, at field: @autoclosure () -> String) throws(ResultError) -> String? {
            switch value {
            case nil, .null?: return nil
            case .string(let text)?: return text
            case .number(let number)?: return number.text
            case .bool(let flag)?: return flag ? "true" : "false"
            case let other?: throw ResultError(field: field(), problem: "is \(Self.kind(other)), not a string")
            }
        }
    }
}
