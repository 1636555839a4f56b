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
        if let pathContains, !request.path.lowercased().contains(pathContains.lowercased()) { return false }
        return true
    }

    /// Reads a fault from the JSON accepted by `/sandbox/faults`.
    public init(json: JSONValue) throws(SandboxDataError) {
        guard let kindName = json["kind"]?.stringValue else { throw .invalid("a fault needs \"kind\": status, delay, drop, malformed or neverComplete") }
        switch kindName.lowercased() {
        case "status":
            guard let status = json["status"]?.numberValue?.intValue else { throw .invalid("a status fault needs \"status\"") }
            kind = .status(status, retryAfter: json["retryAfter"]?.numberValue?.intValue)
        case "delay":
            kind = .delay(json["seconds"]?.numberValue?.doubleValue ?? 1)
        case "drop": kind = .dropConnection
        case "malformed": kind = .malformedJSON
        case "nevercomplete": kind = .neverComplete
        default: throw .invalid("unknown fault kind '\(kindName)'")
        }
        pathContains = json["path"]?.stringValue
        method = json["method"]?.stringValue?.uppercased()
        count = json["count"]?.numberValue?.intValue ?? 1
    }
}
