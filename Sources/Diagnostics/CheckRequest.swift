import JSON

/// What `check` asks Network Watcher (the API's `ConnectivityParameters`), typed, and validated
/// before anything is sent, as the `Test-AzNetworkWatcherConnectivity` cmdlet does.
public struct CheckRequest: Sendable, Equatable {
    /// Where the probes go.
    public enum Destination: Sendable, Equatable {
        /// An Azure resource (a VM, usually) by resource ID.
        case resource(String)
        /// An IP address, host name or URL.
        case address(String)
    }

    /// An HTTP header the probes send.
    public struct Header: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The protocols the API knows, as it spells them.
    public static let protocols = ["Tcp", "Http", "Https", "Icmp"]
    /// The HTTP methods the API knows.
    public static let methods = ["Get"]
    /// The IP versions the API knows.
    public static let ipVersions = ["IPv4", "IPv6"]

    /// The source VM's resource ID.
    public var source: String?
    public var sourcePort: Int?
    public var destination: Destination?
    public var destinationPort: Int?
    /// One of ``protocols``; nil leaves it to the service (which uses Tcp).
    public var protocolName: String?
    public var method: String?
    public var headers: [Header]
    public var validStatusCodes: [Int]
    public var ipVersion: String?

    public init(
        source: String? = nil, sourcePort: Int? = nil, destination: Destination? = nil, destinationPort: Int? = nil,
        protocolName: String? = nil, method: String? = nil, headers: [Header] = [], validStatusCodes: [Int] = [], ipVersion: String? = nil
    ) {
        self.source = source
        self.sourcePort = sourcePort
        self.destination = destination
        self.destinationPort = destinationPort
        self.protocolName = protocolName
        self.method = method
        self.headers = headers
        self.validStatusCodes = validStatusCodes
        self.ipVersion = ipVersion
    }

    /// The protocol the probes use: the one given, else Tcp.
    public var effectiveProtocol: String { protocolName ?? "Tcp" }

    /// The request, checked: a VM as source, one destination, a port unless the protocol is Icmp
    /// (a URL's scheme gives one: http 80, https 443), source and destination different, HTTP
    /// settings only with Http or Https. Returns it with the port filled in from the URL.
    public func validated() throws(CheckProblem) -> CheckRequest {
        guard let source, !source.isEmpty else { throw .missingSource }
        guard Self.isVirtualMachine(source) else {
            throw Self.isVirtualMachineName(source) ? .sourceNameNotResolved(source) : .sourceNotAVirtualMachine(source)
        }
        guard let destination else { throw .missingDestination }
        var checked = self
        switch destination {
        case .resource(let id):
            guard Narration.providerSegments(id) != nil, id.lowercased().hasPrefix("/subscriptions/") else {
                throw .destinationNotAResource(id)
            }
            if id.lowercased() == source.lowercased() { throw .sameSourceAndDestination }
        case .address(let address):
            guard !address.isEmpty else { throw .missingDestination }
        }
        if effectiveProtocol == "Icmp" {
            if destinationPort != nil || sourcePort != nil { throw .portWithIcmp }
        } else if destinationPort == nil {
            guard case .address(let address) = destination, let port = Self.schemePort(address) else {
                throw .missingPort(protocolName: effectiveProtocol)
            }
            checked.destinationPort = port
        }
        if effectiveProtocol != "Http" && effectiveProtocol != "Https" {
            if method != nil { throw .httpSettingWithoutHTTP(field: .method, protocolName: effectiveProtocol) }
            if !headers.isEmpty { throw .httpSettingWithoutHTTP(field: .headers, protocolName: effectiveProtocol) }
            if !validStatusCodes.isEmpty { throw .httpSettingWithoutHTTP(field: .validStatusCodes, protocolName: effectiveProtocol) }
        }
        return checked
    }

    /// The request checked as ``validated()`` checks it, except that its source is a VM's name
    /// (``isVirtualMachineName(_:)``), to be found before the source's own check: everything else
    /// is refused before any request is sent, the name's lookup included.
    public func validatedExceptSourceName() throws(CheckProblem) -> CheckRequest {
        guard let source, Self.isVirtualMachineName(source) else { return try validated() }
        var stand = self
        stand.source = "/subscriptions/-/resourceGroups/-/providers/Microsoft.Compute/virtualMachines/\(source)"
        var checked = try stand.validated()
        checked.source = source
        return checked
    }

    /// Whether the text is a VM's name rather than its resource ID, so `check MultiTierApp0
    /// HOST:PORT` works: at most 64 letters, digits, `-`, `_` and `.`, with a letter among them
    /// (a number alone is more likely a slip than a name).
    public static func isVirtualMachineName(_ text: String) -> Bool {
        (1...64).contains(text.count) && text.contains(where: \.isLetter)
            && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") }
    }

    /// The request body for `POST .../connectivityCheck`.
    public var body: JSONValue {
        var sourceObject = JSONObject(["resourceId": .string(source ?? "")])
        if let sourcePort { sourceObject["port"] = .number(JSONNumber(sourcePort)) }
        var destinationObject = JSONObject()
        switch destination {
        case .resource(let id): destinationObject["resourceId"] = .string(id)
        case .address(let address): destinationObject["address"] = .string(address)
        case nil: break
        }
        if let destinationPort { destinationObject["port"] = .number(JSONNumber(destinationPort)) }
        var body = JSONObject(["source": .object(sourceObject), "destination": .object(destinationObject)])
        if let protocolName { body["protocol"] = .string(protocolName) }
        if method != nil || !headers.isEmpty || !validStatusCodes.isEmpty {
            var http = JSONObject()
            if let method { http["method"] = .string(method) }
            if !headers.isEmpty {
                http["headers"] = .array(headers.map { .object(JSONObject(["name": .string($0.name), "value": .string($0.value)])) })
            }
            if !validStatusCodes.isEmpty { http["validStatusCodes"] = .array(validStatusCodes.map { .number(JSONNumber($0)) }) }
            body["protocolConfiguration"] = .object(JSONObject(["HTTPConfiguration": .object(http)]))
        }
        if let ipVersion { body["preferredIPVersion"] = .string(ipVersion) }
        return .object(body)
    }

    /// Reads a request body back (the page's `armclient post .../connectivityCheck $requestBody`),
    /// so `explain` can suggest follow-up calls for the same source, destination and port. Nil
    /// when the body names no source.
    public init?(body: JSONValue) {
        guard let source = body["source"]?["resourceId"]?.stringValue else { return nil }
        func port(_ value: JSONValue?) -> Int? {
            guard let number = value?.numberValue?.intValue ?? value?.stringValue.flatMap({ Int($0) }), number > 0 else { return nil }
            return number
        }
        let destination = body["destination"]
        self.init(
            source: source, sourcePort: port(body["source"]?["port"]),
            destination: destination?["resourceId"]?.stringValue.map(Destination.resource)
                ?? destination?["address"]?.stringValue.map(Destination.address),
            destinationPort: port(destination?["port"]),
            protocolName: body["protocol"]?.stringValue.flatMap { Self.canonical($0, in: Self.protocols) })
    }

    // MARK: Values of options

    /// A value from a fixed list, matched ignoring case and returned as the API spells it.
    public static func canonical(_ value: String, in allowed: [String]) -> String? {
        allowed.first { $0.lowercased() == value.lowercased() }
    }

    /// A port number, 1 to 65535, for `field`.
    public static func port(_ text: String, field: CheckField) throws(CheckProblem) -> Int {
        guard let port = Int(text), (1...65535).contains(port) else {
            throw .invalidValue(field: field, value: text, expected: "a port number from 1 to 65535")
        }
        return port
    }

    /// `200,202`: HTTP status codes, each 100 to 599.
    public static func statusCodes(_ text: String) throws(CheckProblem) -> [Int] {
        var codes: [Int] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingSpaces
            guard let code = Int(trimmed), (100...599).contains(code) else {
                throw .invalidValue(
                    field: .validStatusCodes, value: text, expected: "HTTP status codes from 100 to 599, separated by commas (200,202)")
            }
            codes.append(code)
        }
        return codes
    }

    /// The short form's destination: `HOST:PORT`, `[IPv6]:PORT`, a URL (its port or its scheme's),
    /// a resource ID, or a bare host (the port then comes from `--dest-port`).
    public static func destination(shortForm text: String) throws(CheckProblem) -> (Destination, Int?) {
        if text.hasPrefix("/") { return (.resource(text), nil) }
        if text.contains("://") {
            // A URL goes to the service as it is; its explicit port is also the probe port.
            let authority =
                text.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false).dropFirst(2).first.map {
                    $0.prefix { $0 != "/" }
                } ?? ""
            if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
                return (.address(text), try port(String(authority[authority.index(after: colon)...]), field: .shortFormDestinationPort))
            }
            return (.address(text), nil)
        }
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            let host = String(text[text.index(after: text.startIndex)..<close])
            let rest = text[text.index(after: close)...]
            guard !rest.isEmpty else { return (.address(host), nil) }
            guard rest.hasPrefix(":") else { throw .invalidValue(field: .shortFormDestination, value: text, expected: "[IPv6]:PORT") }
            return (.address(host), try port(String(rest.dropFirst()), field: .shortFormDestinationPort))
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") {
            let host = String(text[..<colon])
            guard !host.isEmpty else { throw .invalidValue(field: .shortFormDestination, value: text, expected: "HOST:PORT") }
            return (.address(host), try port(String(text[text.index(after: colon)...]), field: .shortFormDestinationPort))
        }
        // No colon, or a bare IPv6 address.
        return (.address(text), nil)
    }

    /// A network watcher's resource ID, checked (`--watcher`).
    public static func watcher(_ id: String) throws(CheckProblem) -> String {
        guard Narration.resource(id, namespace: "Microsoft.Network", type: "networkWatchers") == id else {
            throw .invalidValue(
                field: .watcher, value: id,
                expected: "a network watcher's resource ID (/subscriptions/…/providers/Microsoft.Network/networkWatchers/NAME)")
        }
        return id
    }

    /// Whether an ID names a virtual machine (or a scale set's VM), the only sources the API takes.
    static func isVirtualMachine(_ id: String) -> Bool {
        ["virtualMachines", "virtualMachineScaleSets"].contains { Narration.resource(id, namespace: "Microsoft.Compute", type: $0) != nil }
    }

    /// 80 for `http://`, 443 for `https://`.
    static func schemePort(_ address: String) -> Int? {
        let lowered = address.lowercased()
        if lowered.hasPrefix("http://") { return 80 }
        if lowered.hasPrefix("https://") { return 443 }
        return nil
    }
}

/// A part of a check request, as a ``CheckProblem`` names it. The request does not know how it
/// was written; the `check` command says which flag (or which word of its short form) sets each.
public enum CheckField: Sendable, Equatable, CaseIterable {
    case source, sourcePort, destinationAddress, destinationResource, destinationPort
    case protocolName, method, headers, validStatusCodes, ipVersion, watcher
    /// The short form's words, `check VM DESTINATION`, and the port its DESTINATION names.
    case shortFormSource, shortFormDestination, shortFormDestinationPort
}

/// Why a check request will not be sent, by field; the shell turns it into a sentence that names
/// the flags to change.
public enum CheckProblem: Error, Sendable, Equatable {
    case missingSource
    case sourceNotAVirtualMachine(String)
    /// The source is a VM's name that was not looked up (``CheckRequest/validatedExceptSourceName()``).
    case sourceNameNotResolved(String)
    case missingDestination
    case twoDestinations
    case destinationNotAResource(String)
    case missingPort(protocolName: String)
    case portWithIcmp
    case sameSourceAndDestination
    /// An HTTP probe setting (method, headers, valid statuses) with another protocol.
    case httpSettingWithoutHTTP(field: CheckField, protocolName: String)
    case invalidValue(field: CheckField, value: String, expected: String)
}

extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return text
    }
}
