import JSON

/// A fault the sandbox injects into the next matching requests, so tests can exercise retries,
/// timeouts and bad answers over real HTTP.
///
/// Faults are added with ``SandboxARM/inject(_:)`` or, from another process, by POSTing JSON to
/// `/sandbox/faults` (`DELETE /sandbox/faults` clears them):
/// `{"kind": "status", "status": 500, "retryAfter": 0, "path": "operationResults", "method": "GET", "count": 1}`.
public struct Fault: Sendable, Equatable {
    /// What goes wrong.
    public enum Kind: Sendable, Equatable {
        /// Answer this status with ARM's error envelope (and `Retry-After` when given) instead.
        case status(Int, retryAfter: Int?)
        /// Answer normally, after a delay of this many seconds.
        case delay(Double)
        /// Close the connection in the middle of the response.
        case dropConnection
        /// Answer 200 with a truncated JSON body.
        case malformedJSON
        /// A long-running operation started by the matching request never completes.
        case neverComplete
        /// Refuse the request's api-version unless it is one of these, as ARM refuses a version a
        /// type does not take in a region: 400 `NoRegisteredProviderFound`, its message listing
        /// these versions.
        case refuseAPIVersion(supported: [String])
    }

    public var kind: Kind
    /// Applies only to paths containing this text (case-insensitive); nil for every path.
    public var pathContains: String?
    /// Applies only to this method; nil for every method.
    public var method: String?
    /// How many requests it applies to.
    public var count: Int

    public init(_ kind: Kind, pathContains: String? = nil, method: String? = nil, count: Int = 1) {
        self.kind = kind
        self.pathContains = pathContains
        self.method = method?.uppercased()
        self.count = count
    }

    func matches(_ request: SandboxRequest) -> Bool {
        if let method, method != request.method { return false }
        if case .refuseAPIVersion(let supported) = kind, let version = request.queryValue("api-version"), supported.contains(version) {
            return false
        }
        if let pathContains, !request.path.lowercased().contains(pathContains.lowercased()) { return false }
        return true
    }

    /// Reads a fault from the JSON accepted by `/sandbox/faults`.
    public init(json: JSONValue) throws(SandboxDataError) {
        guard let kindName = json["kind"]?.stringValue else {
            throw .invalid("a fault needs \"kind\": status, delay, drop, malformed, neverComplete or refuseApiVersion")
        }
        switch kindName.lowercased() {
        case "status":
            guard let status = json["status"]?.numberValue?.intValue else { throw .invalid("a status fault needs \"status\"") }
            kind = .status(status, retryAfter: json["retryAfter"]?.numberValue?.intValue)
        case "delay":
            kind = .delay(json["seconds"]?.numberValue?.doubleValue ?? 1)
        case "drop": kind = .dropConnection
        case "malformed": kind = .malformedJSON
        case "nevercomplete": kind = .neverComplete
        case "refuseapiversion":
            kind = .refuseAPIVersion(supported: json["supported"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        default: throw .invalid("unknown fault kind '\(kindName)'")
        }
        pathContains = json["path"]?.stringValue
        method = json["method"]?.stringValue?.uppercased()
        count = json["count"]?.numberValue?.intValue ?? 1
    }
}

extension Fault.Kind {
    /// The answer that replaces the request's own, for the kinds that replace it: a status with
    /// ARM's error envelope, a connection dropped mid-body, truncated JSON, a refused api-version.
    /// Nil for the kinds that change how the real answer is delivered (a delay) or carried out
    /// (never completing).
    func answer(to request: SandboxRequest) -> SandboxResponse? {
        switch self {
        case .refuseAPIVersion(let supported):
            // ARM's words (quoted in Azure/azure-cli issue 28496): the type without its namespace.
            let type = ResourcePath(request.path)?.type.map { String($0.drop { $0 != "/" }.dropFirst()) } ?? request.path
            let version = request.queryValue("api-version") ?? ""
            return SandboxARM.error(
                400, "NoRegisteredProviderFound",
                "No registered resource provider found for location 'westcentralus' and API version '\(version)' for type '\(type)'. The supported api-versions are '\(supported.joined(separator: ", "))'. The supported locations are 'westcentralus'."
            )
        case .status(let status, let retryAfter):
            var headers = SandboxARM.jsonHeaders
            if let retryAfter { headers.add("Retry-After", String(retryAfter)) }
            let code = status == 429 ? "TooManyRequests" : status >= 500 ? "InternalServerError" : "InjectedFault"
            return SandboxResponse(
                status: status, headers: headers,
                body: SandboxARM.envelope(code: code, message: "The sandbox injected HTTP \(status) for this request."))
        case .dropConnection:
            return SandboxResponse(
                status: 200, headers: SandboxARM.jsonHeaders, body: Array("{\"partial\": ".utf8), delivery: .dropConnection)
        case .malformedJSON:
            return SandboxResponse(status: 200, headers: SandboxARM.jsonHeaders, body: Array("{\"hops\": [{\"type\": \"Source\",".utf8))
        case .delay, .neverComplete:
            return nil
        }
    }
}

/// The faults waiting for requests, and the `/sandbox/faults` endpoint that adds and clears them
/// from another process.
struct FaultInjection {
    private var pending: [Fault] = []

    /// Adds a fault for the next matching requests.
    mutating func inject(_ fault: Fault) { pending.append(fault) }

    /// Removes all pending faults.
    mutating func clear() { pending.removeAll() }

    /// The kind of the first pending fault that matches the request, counting the request
    /// against it (a fault is gone once it has applied `count` times).
    mutating func take(for request: SandboxRequest) -> Fault.Kind? {
        guard let index = pending.firstIndex(where: { $0.matches(request) }) else { return nil }
        let kind = pending[index].kind
        pending[index].count -= 1
        if pending[index].count <= 0 { pending.remove(at: index) }
        return kind
    }

    /// Answers `/sandbox/faults`: POST adds the faults in the body (one, or an array), DELETE
    /// clears them.
    mutating func control(_ request: SandboxRequest) -> SandboxResponse {
        guard request.path.lowercased() == "/sandbox/faults" else {
            return SandboxARM.error(404, "NotFound", "Unknown sandbox control path.")
        }
        switch request.method {
        case "POST":
            do {
                let json = try JSONParser.parse(bytes: request.body, mode: .relaxed)
                let list = json.arrayValue ?? [json]
                for item in list { pending.append(try Fault(json: item)) }
                return SandboxResponse(status: 204)
            } catch let error as SandboxDataError {
                return SandboxARM.error(400, "InvalidFault", error.description)
            } catch {
                return SandboxARM.error(400, "InvalidFault", "\(error)")
            }
        case "DELETE":
            pending.removeAll()
            return SandboxResponse(status: 204)
        default:
            return SandboxARM.error(405, "MethodNotAllowed", "Use POST or DELETE.")
        }
    }
}
